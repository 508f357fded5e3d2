package io.pachyderm.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryRecorderTest {
  @TempDir Path dir;

  @Test
  void assignsIncreasingIndexesAndTimesRelativeToTheStart() {
    AtomicLong clock = new AtomicLong(5_000);
    HistoryRecorder recorder = new HistoryRecorder(null, clock::get, 100);
    clock.set(5_010);
    Op invoke = recorder.invoke(1, Op.WRITE, "r", 3L);
    clock.set(5_030);
    Op ok = recorder.complete(invoke, OpType.OK, null, null);

    assertThat(invoke.index()).isZero();
    assertThat(invoke.timeNs()).isEqualTo(10);
    assertThat(ok.index()).isEqualTo(1);
    assertThat(ok.timeNs()).isEqualTo(30);
    assertThat(ok.value()).as("a write's completion carries its argument").isEqualTo(3L);
  }

  @Test
  void aProcessHasAtMostOneOutstandingOperation() {
    HistoryRecorder recorder = new HistoryRecorder(null);
    Op first = recorder.invoke(1, Op.READ, "r", null);

    assertThatThrownBy(() -> recorder.invoke(1, Op.READ, "r", null))
        .isInstanceOf(IllegalStateException.class);
    recorder.complete(first, OpType.INFO, null, "timeout");
    assertThatThrownBy(() -> recorder.complete(first, OpType.OK, 1L, null))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> recorder.complete(recorder.invoke(2, Op.READ, "r", null),
        OpType.INVOKE, null, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void finalReadIsAnAdjacentInvokeOkPairNamingTheNode() {
    HistoryRecorder recorder = new HistoryRecorder(null);
    Op ok = recorder.finalRead("n3", "l1", List.of(1L, 2L));
    History history = recorder.history();

    assertThat(history.ops()).hasSize(2);
    assertThat(history.ops().get(0).type()).isEqualTo(OpType.INVOKE);
    assertThat(ok.type()).isEqualTo(OpType.OK);
    assertThat(ok.f()).isEqualTo(Op.FINAL_READ);
    assertThat(ok.node()).isEqualTo("n3");
    assertThat(ok.process()).isEqualTo(Op.FINAL_READ_PROCESS);
    assertThat(history.pairs().get(0).value()).isEqualTo(List.of(1L, 2L));
  }

  @Test
  void streamsEveryOpSoACrashedRunLeavesItsHistory() {
    Path file = dir.resolve("history.jsonl");
    HistoryRecorder recorder = new HistoryRecorder(file);
    Op w = recorder.invoke(1, Op.WRITE, "r", 1L);
    recorder.complete(w, OpType.OK, null, null);
    recorder.invoke(2, Op.READ, "r", null);

    // Not closed: as after a crash, the file already holds every op.
    assertThat(History.read(file)).isEqualTo(recorder.history());
    recorder.close();
    assertThatThrownBy(() -> recorder.invoke(3, Op.READ, "r", null))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesToGrowBeyondOpsMax() {
    HistoryRecorder recorder = new HistoryRecorder(null, System::nanoTime, 2);
    recorder.finalRead("n1", "r", 1L);
    assertThatThrownBy(() -> recorder.invoke(1, Op.READ, "r", null))
        .hasMessageContaining("opsMax");
  }

  @Test
  void concurrentClientsProduceAWellFormedHistory() throws Exception {
    HistoryRecorder recorder = new HistoryRecorder(dir.resolve("h.jsonl"));
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int process = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 500; i++) {
          Op invoke = recorder.invoke(process, Op.APPEND, "l" + (i % 3), (long) process * 1000 + i);
          recorder.complete(invoke, i % 7 == 0 ? OpType.INFO : OpType.OK, null, null);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    History history = recorder.history();

    assertThat(history.size()).isEqualTo(4000);
    assertThat(history.pairs()).hasSize(2000).allMatch(p -> p.completion() != null);
    assertThat(History.read(dir.resolve("h.jsonl"))).isEqualTo(history);
  }
}
