package io.pachyderm.api;

/**
 * A bounded queue was full, so the request was refused before any work was done: nothing was
 * sent or applied, and retrying after a pause is safe. {@link #limitName()} names the limit (as
 * the builder option that sets it) and {@link #limit()} is its value.
 */
public final class OverloadedException extends PachydermException {
  private static final long serialVersionUID = 1L;

  private final String limitName;
  private final long limit;

  public OverloadedException(String what, String limitName, long limit) {
    super(what + " refused: " + limitName + " (" + limit + ") reached; nothing was done, retry later");
    this.limitName = limitName;
    this.limit = limit;
  }

  public String limitName() {
    return limitName;
  }

  public long limit() {
    return limit;
  }
}
