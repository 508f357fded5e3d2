package io.pachyderm.chaos.nemesis;

/** A schedule that cannot be read: the message names the line and what was wrong. */
public final class ScheduleParseException extends IllegalArgumentException {
  private final int line;

  public ScheduleParseException(String message, int line) {
    super(message);
    this.line = line;
  }

  /** The offending line, 1-based; 0 for a schedule built in code. */
  public int line() {
    return line;
  }
}
