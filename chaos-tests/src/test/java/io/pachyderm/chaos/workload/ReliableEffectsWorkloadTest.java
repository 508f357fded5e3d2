package io.pachyderm.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.checker.EffectsChecker;
import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import org.junit.jupiter.api.Test;

/** Which effects an at-least-once history owes, and which it cannot have caused. */
class ReliableEffectsWorkloadTest {
  @Test
  void committedVersionsAndAcknowledgedAddsOweOneEffectEach() {
    HistoryBuilder h = new HistoryBuilder();
    h.ok(h.add(1, "l0", 1), 1L);
    h.info(h.add(2, "l0", 1));
    h.fail(h.add(3, "l1", 1));
    h.ok(h.add(4, "l2", 1), 1L);
    // l0 reached 3: the unknown add and one more committed too. l2 has no final read.
    h.finalRead("n1", "l0", 3L);
    h.finalRead("n2", "l0", 2L);
    h.finalRead("n1", "l1", 0L);

    EffectsChecker.Expected expected = ReliableEffectsWorkload.expected(h.build());

    assertThat(expected.required()).containsExactlyInAnyOrder("l0@1", "l0@2", "l0@3", "l2@1");
    assertThat(expected.mayHaveCommitted()).accepts("l0@3", "l2@9").rejects("l0@4", "l1@1");
  }

  @Test
  void aReadsValueIsNotAVersion() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(1, "l0", 5L);
    h.ok(h.invoke(2, Op.ADD, "l0", 1L));

    // The add's completion carries no version here (its argument is recorded): nothing owed by it
    // but the argument itself, which is version 1 only by accident; a read owes nothing.
    assertThat(ReliableEffectsWorkload.expected(h.build()).required()).containsExactly("l0@1");
  }
}
