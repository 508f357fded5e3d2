package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.settings.FatalErrorPolicy;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FailStopTest {
  @Test
  void haltJvmHaltsWithTheNamedExitCodeOnceAndRecordsTheCause() {
    List<Integer> halts = new CopyOnWriteArrayList<>();
    FailStop failStop = new FailStop("n1", FatalErrorPolicy.HALT_JVM, halts::add);

    failStop.fatal("applying log entry (t:2, i:9)", new InternalError("a fault occurred in an unsafe memory access",
        new IOException("No space left on device")));
    failStop.fatal("the leader's work loop", new IllegalStateException("later"));

    assertThat(halts).containsExactly(FatalErrorPolicy.EXIT_CODE);
    assertThat(FatalErrorPolicy.EXIT_CODE).isEqualTo(70);
    assertThat(failStop.failure()).as("the first cause only")
        .isEqualTo("applying log entry (t:2, i:9) failed: java.lang.InternalError: a fault occurred in an unsafe "
            + "memory access (caused by java.io.IOException: No space left on device)");
  }

  @Test
  void stopNodeRunsTheStopActionOnceOnAThreadOfItsOwnAndNeverHalts() throws Exception {
    List<Integer> halts = new CopyOnWriteArrayList<>();
    FailStop failStop = new FailStop("n2", FatalErrorPolicy.STOP_NODE, halts::add);
    List<String> stoppedOn = new CopyOnWriteArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    failStop.onStopNode(() -> {
      stoppedOn.add(Thread.currentThread().getName());
      stopped.countDown();
    });
    assertThat(failStop.failed()).isFalse();

    failStop.fatal("writing the Raft log", new IOException("No space left on device"));
    failStop.fatal("writing the Raft log", new IOException("again"));

    assertThat(stopped.await(10, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100); // a second stop, were there one, would have started by now
    assertThat(stoppedOn).containsExactly("pachyderm-fail-stop-n2");
    assertThat(halts).isEmpty();
    assertThat(failStop.failed()).isTrue();
    assertThat(failStop.failure()).isEqualTo("writing the Raft log failed: java.io.IOException: No space left on device");
  }
}
