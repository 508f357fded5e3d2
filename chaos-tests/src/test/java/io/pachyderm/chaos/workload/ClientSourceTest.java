package io.pachyderm.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.OutcomeUnknownException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ClientSourceTest {
  /** The shape seen in runs: the client's unknown outcome wrapping Ratis' closed sliding window. */
  static final class AlreadyClosedException extends IOException {
    AlreadyClosedException(String message) {
      super(message);
    }
  }

  @Test
  void recognisesAClosedRatisClientAnywhereInTheCauseChain() {
    Throwable closed = new OutcomeUnknownException("no answer", new CompletionException(
        new AlreadyClosedException("SlidingWindow$Client:client-1->RAFT is closed.")));
    assertThat(ClientSource.isClosedClient(closed)).isTrue();
    assertThat(ClientSource.isClosedClient(new OutcomeUnknownException(
        "last failure: org.apache.ratis.protocol.exceptions.AlreadyClosedException: x is closed."))).isTrue();
  }

  @Test
  void otherFailuresAreNotAClosedClient() {
    assertThat(ClientSource.isClosedClient(new OutcomeUnknownException("timeout",
        new IOException("NotLeaderException")))).isFalse();
  }
}
