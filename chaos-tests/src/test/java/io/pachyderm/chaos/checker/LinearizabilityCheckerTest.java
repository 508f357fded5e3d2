package io.pachyderm.chaos.checker;

import static io.pachyderm.chaos.checker.LinearizabilityChecker.Model.COUNTER;
import static io.pachyderm.chaos.checker.LinearizabilityChecker.Model.REGISTER;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.checker.LinearizabilityChecker.Budget;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crafted histories, each the smallest that shows one behaviour, and seeded simulated ones.
 * Wing &amp; Gong (1993) and Lowe (2017) define what is searched; Jepsen's Knossos and Porcupine
 * define the INFO semantics (an unknown write may take effect any time after its call, or never).
 */
class LinearizabilityCheckerTest {
  private static final LinearizabilityChecker REGISTER_CHECKER = new LinearizabilityChecker(REGISTER);
  private static final LinearizabilityChecker COUNTER_CHECKER = new LinearizabilityChecker(COUNTER);

  private static Verdict register(HistoryBuilder h) {
    return REGISTER_CHECKER.check(h.build());
  }

  private static Verdict counter(HistoryBuilder h) {
    return COUNTER_CHECKER.check(h.build());
  }

  private static void assertNonLinearizable(Verdict verdict, String key) {
    assertThat(verdict.valid()).as(verdict.toString()).isFalse();
    assertThat(verdict.unknown()).isFalse();
    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.NON_LINEARIZABLE);
      assertThat(a.key()).isEqualTo(key);
    });
  }

  // --- register: valid histories ---

  @Test
  void sequentialWritesAndReadsAreLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(1, "r", null);
    h.done(1, Op.WRITE, "r", 1);
    h.readOk(1, "r", 1L);
    h.done(2, Op.WRITE, "r", 2);
    h.readOk(2, "r", 2L);

    Verdict verdict = register(h);

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats()).containsEntry("keys", 1).containsEntry("opsChecked", 5L);
  }

  @Test
  void aNeverWrittenRegisterReadsZeroOrNull() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(1, "r", null);
    h.readOk(1, "r", 0L);
    assertThat(register(h).valid()).isTrue();
  }

  @Test
  void concurrentWritesMayTakeEffectInEitherOrder() {
    for (long last : new long[] {1, 2}) {
      HistoryBuilder h = new HistoryBuilder();
      Op w1 = h.write(1, "r", 1);
      Op w2 = h.write(2, "r", 2);
      h.ok(w2);
      h.ok(w1);
      h.readOk(3, "r", last);
      h.readOk(3, "r", last);
      assertThat(register(h).valid()).as("final value %d", last).isTrue();
    }
  }

  @Test
  void readsConcurrentWithAWriteMaySeeTheOldValueThenTheNew() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    Op w = h.write(1, "r", 2);
    h.readOk(2, "r", 1L);
    h.readOk(2, "r", 2L);
    h.readOk(3, "r", 2L);
    h.ok(w);
    assertThat(register(h).valid()).isTrue();
  }

  @Test
  void severalOverlappingOpsWithOnlyOneValidOrderAreFound() {
    // w1 w2 w3 all concurrent with three reads that pin the order to w3, w1, w2.
    HistoryBuilder h = new HistoryBuilder();
    Op w1 = h.write(1, "r", 1);
    Op w2 = h.write(2, "r", 2);
    Op w3 = h.write(3, "r", 3);
    Op r1 = h.read(4, "r");
    Op r2 = h.read(5, "r");
    Op r3 = h.read(6, "r");
    h.ok(r2, 1L);
    h.ok(w1);
    h.ok(r1, 3L);
    h.ok(w2);
    h.ok(w3);
    h.ok(r3, 2L);
    h.readOk(7, "r", 2L);
    assertThat(register(h).valid()).isTrue();
  }

  @Test
  void anInfoWriteThatTookEffectIsLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.info(h.write(2, "r", 2));
    h.readOk(3, "r", 2L);
    assertThat(register(h).valid()).isTrue();
  }

  @Test
  void anInfoWriteMayTakeEffectLongAfterItsTimeout() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.info(h.write(2, "r", 2));
    h.readOk(3, "r", 1L);
    h.readOk(3, "r", 1L);
    h.readOk(3, "r", 2L);
    assertThat(register(h).valid()).isTrue();
  }

  @Test
  void anInfoWriteThatNeverTookEffectIsLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.info(h.write(2, "r", 2));
    h.write(3, "r", 3); // never completed: the run ended
    h.readOk(4, "r", 1L);
    h.readOk(4, "r", 1L);
    assertThat(register(h).valid()).isTrue();
  }

  @Test
  void unknownAndFailedReadsConstrainNothing() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.info(h.read(2, "r"));
    h.fail(h.read(3, "r"));
    h.readOk(4, "r", 1L);
    Verdict verdict = register(h);
    assertThat(verdict.valid()).isTrue();
    assertThat(verdict.stats()).containsEntry("opsDropped", 2L);
  }

  // --- register: anomalies ---

  @Test
  void staleReadAfterANewerWriteCompletedIsNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r7", 1);
    h.done(1, Op.WRITE, "r7", 2);
    Op stale = h.readOk(2, "r7", 1L);

    Verdict verdict = register(h);

    assertNonLinearizable(verdict, "r7");
    String description = verdict.anomalies().get(0).description();
    assertThat(description)
        .contains("#" + stale.index())
        .contains("read r7 -> 1")
        .contains("the register = 2");
  }

  @Test
  void readsThatGoBackInTimeAreNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    Op w1 = h.write(1, "r", 1);
    Op w2 = h.write(2, "r", 2);
    h.ok(w1);
    h.ok(w2);
    h.readOk(3, "r", 1L);
    h.readOk(3, "r", 2L);
    assertNonLinearizable(register(h), "r");
  }

  @Test
  void readOfAValueNeverWrittenIsNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.readOk(2, "r", 9L);
    assertNonLinearizable(register(h), "r");
  }

  @Test
  void readOfAValueBeforeItsWriteWasInvokedIsNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(2, "r", 5L);
    h.done(1, Op.WRITE, "r", 5);
    assertNonLinearizable(register(h), "r");
  }

  @Test
  void anInfoWriteCannotBeUndone() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.info(h.write(2, "r", 2));
    h.readOk(3, "r", 2L);
    h.readOk(3, "r", 1L);
    assertNonLinearizable(register(h), "r");
  }

  @Test
  void aFailedWriteMustNotBeVisible() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.fail(h.write(2, "r", 2));
    h.readOk(3, "r", 2L);
    assertNonLinearizable(register(h), "r");
  }

  @Test
  void finalReadsAreJudgedLikeReads() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "r", 1);
    h.done(1, Op.WRITE, "r", 2);
    h.finalRead("n1", "r", 2L);
    h.finalRead("n2", "r", 1L);
    assertNonLinearizable(register(h), "r");
  }

  @Test
  void eachKeyIsJudgedOnItsOwn() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.WRITE, "a", 1);
    h.done(1, Op.WRITE, "b", 1);
    h.readOk(2, "a", 1L);
    h.readOk(2, "b", 0L);

    Verdict verdict = register(h);

    assertNonLinearizable(verdict, "b");
    assertThat(verdict.stats()).containsEntry("keys", 2).containsEntry("keysInvalid", 1);
  }

  @Test
  void opsOfOtherModelsAreIgnoredAndCounted() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "r", 1);
    h.done(1, Op.ADD, "r", 1);
    h.readOk(1, "r", 0L);
    Verdict verdict = register(h);
    assertThat(verdict.valid()).isTrue();
    assertThat(verdict.stats()).containsEntry("opsIgnored", 2L);
  }

  @Test
  void aListValueInARegisterHistoryIsMalformed() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(1, "r", List.of(1L));
    Verdict verdict = register(h);
    assertThat(verdict.valid()).isFalse();
    assertThat(verdict.anomalies()).extracting(Anomaly::kind)
        .containsExactly(Anomaly.MALFORMED_HISTORY);
  }

  // --- counter ---

  @Test
  void concurrentAddsAllowEveryIntermediateTotal() {
    HistoryBuilder h = new HistoryBuilder();
    Op a1 = h.add(1, "c", 1);
    Op a2 = h.add(2, "c", 10);
    h.readOk(3, "c", 10L);
    h.readOk(3, "c", 11L);
    h.ok(a1);
    h.ok(a2);
    h.readOk(3, "c", 11L);
    assertThat(counter(h).valid()).isTrue();
  }

  @Test
  void infoAddsMayOrMayNotCount() {
    for (long total : new long[] {1, 3, 6, 8}) {
      HistoryBuilder h = new HistoryBuilder();
      h.done(1, Op.ADD, "c", 1);
      h.info(h.add(2, "c", 2));
      h.info(h.add(3, "c", 5));
      h.readOk(4, "c", total);
      assertThat(counter(h).valid()).as("total %d", total).isTrue();
    }
  }

  @Test
  void aTotalNoSubsetOfUnknownAddsExplainsIsNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.ADD, "c", 1);
    h.info(h.add(2, "c", 2));
    h.info(h.add(3, "c", 5));
    h.readOk(4, "c", 4L);
    assertNonLinearizable(counter(h), "c");
  }

  @Test
  void aLostIncrementIsNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.ADD, "c", 1);
    h.done(2, Op.ADD, "c", 1);
    h.readOk(3, "c", 1L);
    Verdict verdict = counter(h);
    assertNonLinearizable(verdict, "c");
    assertThat(verdict.anomalies().get(0).description()).contains("the counter = 2");
  }

  @Test
  void aDoubleAppliedIncrementIsNotLinearizable() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.ADD, "c", 3);
    h.readOk(3, "c", 6L);
    assertNonLinearizable(counter(h), "c");
  }

  // --- budget ---

  @Test
  void aSearchOverItsStepBudgetIsUnknownNotValid() {
    History history = SimulatedHistories.generate(params(SimulatedHistories.Workload.REGISTER,
        1, 300, 0.05, 3), 7);
    LinearizabilityChecker checker = new LinearizabilityChecker(REGISTER,
        new Budget(10_000, 50, 1L << 30, Duration.ofMinutes(1)));

    Verdict verdict = checker.check(history);

    assertThat(verdict.valid()).isFalse();
    assertThat(verdict.unknown()).isTrue();
    assertThat(verdict.label()).isEqualTo("UNKNOWN");
    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.SEARCH_BUDGET_EXCEEDED);
      assertThat(a.description()).contains("stepsPerKeyMax 50");
    });
  }

  @Test
  void aKeyWithMoreOpsThanAllowedIsUnknown() {
    HistoryBuilder h = new HistoryBuilder();
    for (int i = 0; i < 5; i++) {
      h.done(1, Op.WRITE, "r", i);
    }
    Verdict verdict = new LinearizabilityChecker(REGISTER,
        new Budget(4, 1000, 1L << 30, Duration.ofMinutes(1))).check(h.build());
    assertThat(verdict.unknown()).isTrue();
    assertThat(verdict.stats()).containsEntry("keysUnknown", 1);
  }

  @Test
  void aSearchOverItsTimeBudgetIsUnknown() {
    History history = SimulatedHistories.generate(params(SimulatedHistories.Workload.REGISTER,
        1, 200, 0.05, 2), 11);
    AtomicLong clock = new AtomicLong();
    // Each look at the clock finds an hour gone: the first check exceeds any budget.
    LinearizabilityChecker checker = new LinearizabilityChecker(REGISTER,
        new Budget(10_000, Long.MAX_VALUE, Long.MAX_VALUE, Duration.ofSeconds(1)),
        () -> clock.addAndGet(Duration.ofHours(1).toNanos()));
    Verdict verdict = checker.check(history);
    System.out.println("time budget: " + verdict);
    assertThat(verdict.unknown()).isTrue();
    assertThat(verdict.anomalies().get(0).description()).contains("time budget");
  }

  // --- simulated histories ---

  private static SimulatedHistories.Params params(
      SimulatedHistories.Workload workload, int keys, int ops, double infoRate, int valueRange) {
    return new SimulatedHistories.Params(
        workload, keys, ops, 6, infoRate, 0.05, valueRange, List.of("n1", "n2", "n3"));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void simulatedRegisterHistoriesAreLinearizable(long seed) {
    History history = SimulatedHistories.generate(
        params(SimulatedHistories.Workload.REGISTER, 4, 2000, 0.03, 5), seed);
    Verdict verdict = REGISTER_CHECKER.check(history);
    System.out.println("register seed " + seed + ": " + verdict.stats());
    assertThat(verdict.valid()).as("seed %d: %s", seed, verdict).isTrue();
    assertThat((Long) verdict.stats().get("opsUnknownOutcome")).isPositive();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void simulatedCounterHistoriesAreLinearizable(long seed) {
    History history = SimulatedHistories.generate(
        params(SimulatedHistories.Workload.COUNTER, 3, 1500, 0.03, 3), seed);
    Verdict verdict = COUNTER_CHECKER.check(history);
    System.out.println("counter seed " + seed + ": " + verdict.stats());
    assertThat(verdict.valid()).as("seed %d: %s", seed, verdict).isTrue();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void aSimulatedRegisterHistoryWithOneCorruptedReadIsNotLinearizable(long seed) {
    History history = SimulatedHistories.generate(
        params(SimulatedHistories.Workload.REGISTER, 2, 600, 0.03, 5), seed);
    History corrupted = corruptOneRead(history, seed);
    Verdict verdict = REGISTER_CHECKER.check(corrupted);
    System.out.println("corrupted seed " + seed + ": " + verdict.anomalies());
    assertThat(verdict.valid()).as("seed %d", seed).isFalse();
    assertThat(verdict.anomalies()).extracting(Anomaly::kind)
        .containsExactly(Anomaly.NON_LINEARIZABLE);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void aSimulatedCounterHistoryWithOneReadTooHighIsNotLinearizable(long seed) {
    History history = SimulatedHistories.generate(
        params(SimulatedHistories.Workload.COUNTER, 2, 600, 0.03, 1), seed);
    List<Op> ops = new ArrayList<>(history.ops());
    for (int i = ops.size() / 2; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (op.type() == OpType.OK && op.f().equals(Op.READ)) {
        long read = op.value() == null ? 0 : op.longValue();
        // More than every add ever invoked could explain.
        ops.set(i, new Op(op.index(), op.process(), op.type(), op.f(), op.key(), read + 10_000,
            op.timeNs(), op.node(), op.error()));
        break;
      }
    }
    Verdict verdict = COUNTER_CHECKER.check(History.of(ops));
    assertThat(verdict.anomalies()).extracting(Anomaly::kind)
        .containsExactly(Anomaly.NON_LINEARIZABLE);
  }

  /** Replaces the value of one OK read (in the middle of the history) with one never written. */
  private static History corruptOneRead(History history, long seed) {
    List<Op> ops = new ArrayList<>(history.ops());
    int start = (int) (ops.size() / 2 + seed);
    for (int i = start; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (op.type() == OpType.OK && op.f().equals(Op.READ)) {
        ops.set(i, new Op(op.index(), op.process(), op.type(), op.f(), op.key(), 1_000L,
            op.timeNs(), op.node(), op.error()));
        return History.of(ops);
      }
    }
    throw new AssertionError("no read to corrupt");
  }
}
