package io.pachyderm.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.examples.counter.Counter;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Record;
import io.pachyderm.replica.Applied;
import io.pachyderm.runtime.EntityKey;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The benchmarks measure the path a committed command takes, not a shortcut: checked here, not timed. */
class HotPathTest {
  @Test
  void each_entry_decided_on_the_applied_state_applies_without_conflict_and_counts_on() {
    HotPath path = new HotPath(10, true);
    for (int round = 0; round < 3; round++) {
      LogEntry entry = path.nextEntry(20, 1_000);
      assertThat(entry.getRecordsList()).hasSize(20).allSatisfy(r -> {
        assertThat(r.getEventsCount()).as("a real event, not a rejection or lookup").isEqualTo(1);
        assertThat(r.getDeferred()).isFalse();
      });
      path.apply(entry);
    }
    assertThat(path.replica().conflicts()).isZero();
    // 60 increments round-robin over 10 counters: each at 6.
    assertThat(path.replica().get(new EntityKey("default", "counter", "c-3")).state())
        .isEqualTo(new Counter.State(6));
    assertThat(path.replica().get(new EntityKey("default", "counter", "c-3")).version()).isEqualTo(6);
  }

  @Test
  void decide_only_is_repeatable_and_a_parsed_entry_is_the_encoded_one() throws Exception {
    HotPath path = new HotPath(4, false);
    var work = path.nextWork(8);
    LogEntry first = path.decideOnly(work, 5_000);
    LogEntry second = path.decideOnly(work, 5_000);
    assertThat(second).isEqualTo(first);
    assertThat(first.getRecordsList()).extracting(Record::getExpectedVersion).containsExactly(0L, 0L, 0L, 0L, 1L, 1L,
        1L, 1L);
    assertThat(LogEntry.parseFrom(first.toByteArray())).isEqualTo(first);
    Applied applied = path.apply(first);
    assertThat(applied.reply()).isNotNull();
    assertThat(path.replica().entities()).isEqualTo(4);
  }

  @Test
  void the_instruction_count_programs_arguments_are_checked() {
    CommittedCommands.Args a = CommittedCommands.Args.parse("/tmp/x", "20000");
    assertThat(a.dir()).isEqualTo(Path.of("/tmp/x"));
    assertThat(a.commands()).isEqualTo(20_000);
    assertThat(a.entities()).isEqualTo(CommittedCommands.ENTITIES_DEFAULT);
    assertThat(CommittedCommands.Args.parse("d", "0", "5").entities()).isEqualTo(5);
    assertThatThrownBy(() -> CommittedCommands.Args.parse("d")).hasMessageContaining("usage");
    assertThatThrownBy(() -> CommittedCommands.Args.parse("d", "many")).hasMessage("COMMANDS must be a whole number, was 'many'");
    assertThatThrownBy(() -> CommittedCommands.Args.parse("d", "5", "0")).hasMessage("ENTITIES must be 1..1000000, was 0");
    assertThatThrownBy(() -> new HotPath(0, true)).hasMessageContaining("entities must be >= 1");
  }
}
