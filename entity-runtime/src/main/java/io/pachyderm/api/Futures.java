package io.pachyderm.api;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Blocking waits that rethrow the failure the async form reports, not its wrapper. */
public final class Futures {
  private Futures() {}

  /** Waits for {@code future}; a {@link PachydermException} or other runtime failure is rethrown as is. */
  public static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OutcomeUnknownException("interrupted while waiting for the reply", e);
    } catch (ExecutionException | CompletionException e) {
      throw unwrap(e.getCause() == null ? e : e.getCause());
    } catch (CancellationException e) {
      throw new OutcomeUnknownException("the request was cancelled before a reply arrived", e);
    }
  }

  /** The innermost cause as a runtime exception. */
  public static RuntimeException unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new PachydermException(t.getMessage(), t);
  }
}
