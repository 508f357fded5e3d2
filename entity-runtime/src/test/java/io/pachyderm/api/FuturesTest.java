package io.pachyderm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FuturesTest {

  @Test
  void aCompletedFutureGivesItsValue() {
    assertThat(Futures.join(CompletableFuture.completedFuture(42L))).isEqualTo(42L);
  }

  @Test
  void aRejectionIsRethrownAsTheSameExceptionNotItsWrapper() {
    CommandRejectedException rejection = new CommandRejectedException(RejectionKind.REJECTED_BY_ENTITY, "no");

    assertThatThrownBy(() -> Futures.join(CompletableFuture.failedFuture(rejection))).isSameAs(rejection);
  }

  @Test
  void aFailureFromAnEarlierStageIsUnwrappedFromItsCompletionException() {
    OutcomeUnknownException timeout = new OutcomeUnknownException("timed out");
    CompletableFuture<Long> failed = CompletableFuture.failedFuture(timeout);
    CompletableFuture<Long> dependent = failed.thenApply(v -> v + 1);

    assertThatThrownBy(() -> Futures.join(dependent)).isSameAs(timeout);
  }

  @Test
  void nestedCompletionAndExecutionExceptionsAreUnwrappedToThePachydermCause() {
    CommandRejectedException rejection = new CommandRejectedException(RejectionKind.TOO_LARGE, "big");
    Throwable nested = new CompletionException(new ExecutionException(new CompletionException(rejection)));

    assertThatThrownBy(() -> Futures.join(CompletableFuture.failedFuture(nested))).isSameAs(rejection);
  }

  @Test
  void aCheckedFailureBecomesAPachydermExceptionKeepingTheCause() {
    IOException io = new IOException("connection reset");

    assertThatThrownBy(() -> Futures.join(CompletableFuture.failedFuture(io)))
        .isExactlyInstanceOf(PachydermException.class)
        .hasMessage("connection reset")
        .hasCause(io);
  }

  @Test
  void anErrorIsRethrownAsIs() {
    StackOverflowError error = new StackOverflowError("deep");

    assertThatThrownBy(() -> Futures.join(CompletableFuture.failedFuture(error))).isSameAs(error);
  }

  @Test
  void aCancelledRequestHasAnUnknownOutcome() {
    CompletableFuture<Long> future = new CompletableFuture<>();
    future.cancel(true);

    assertThatThrownBy(() -> Futures.join(future))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("cancelled");
  }

  @Test
  void anInterruptedWaitHasAnUnknownOutcomeAndKeepsTheInterruptFlag() {
    CompletableFuture<Long> never = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Futures.join(never))
          .isInstanceOf(OutcomeUnknownException.class)
          .hasMessageContaining("interrupted");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
