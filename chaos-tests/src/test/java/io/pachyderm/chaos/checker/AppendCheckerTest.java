package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One crafted history per anomaly the append checker claims to find, and valid ones. */
class AppendCheckerTest {
  private static final AppendChecker CHECKER = new AppendChecker();

  private static Verdict check(HistoryBuilder h) {
    return CHECKER.check(h.build());
  }

  private static void assertOnly(Verdict verdict, String kind, String key) {
    assertThat(verdict.valid()).as(verdict.toString()).isFalse();
    assertThat(verdict.anomalies()).as(verdict.anomalies().toString())
        .isNotEmpty()
        .allSatisfy(a -> {
          assertThat(a.kind()).isEqualTo(kind);
          assertThat(a.key()).isEqualTo(key);
        });
  }

  private static void finalReads(HistoryBuilder h, String key, Long... elements) {
    for (String node : List.of("n1", "n2", "n3")) {
      h.finalRead(node, key, List.of(elements));
    }
  }

  // --- valid ---

  @Test
  void sequentialAppendsAndReadsAreValid() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(1, "a", List.of());
    h.done(1, Op.APPEND, "a", 1);
    h.readOk(2, "a", List.of(1L));
    h.done(1, Op.APPEND, "a", 2);
    h.readOk(2, "a", List.of(1L, 2L));
    finalReads(h, "a", 1L, 2L);

    Verdict verdict = check(h);

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats())
        .containsEntry("appendsOk", 2L)
        .containsEntry("finalReads", 3L)
        .containsEntry("elementsFinal", 2L);
  }

  @Test
  void concurrentAppendsMayLandInEitherOrder() {
    for (List<Long> order : List.of(List.of(1L, 2L), List.of(2L, 1L))) {
      HistoryBuilder h = new HistoryBuilder();
      Op a1 = h.append(1, "a", 1);
      Op a2 = h.append(2, "a", 2);
      h.readOk(3, "a", order.subList(0, 1));
      h.ok(a2);
      h.ok(a1);
      h.readOk(3, "a", order);
      finalReads(h, "a", order.toArray(new Long[0]));
      assertThat(check(h).valid()).as("order %s", order).isTrue();
    }
  }

  @Test
  void infoAppendsMayOrMayNotHaveHappened() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.info(h.append(2, "a", 2)); // took effect, seen later
    h.info(h.append(3, "a", 3)); // never took effect
    h.append(4, "a", 4); // never completed; took effect
    h.readOk(5, "a", List.of(1L));
    h.readOk(5, "a", List.of(1L, 2L));
    finalReads(h, "a", 1L, 2L, 4L);

    Verdict verdict = check(h);

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats()).containsEntry("appendsUnknownVisible", 2L);
  }

  @Test
  void aKeyWithoutFinalReadsIsCheckedAgainstItsLongestRead() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.done(1, Op.APPEND, "a", 2);
    h.readOk(2, "a", List.of(1L, 2L));
    Verdict verdict = check(h);
    assertThat(verdict.valid()).isTrue();
    assertThat(verdict.stats()).containsEntry("keysWithoutFinalRead", 1);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void simulatedAppendHistoriesAreValid(long seed) {
    History history = SimulatedHistories.generate(new SimulatedHistories.Params(
        SimulatedHistories.Workload.APPEND, 4, 3000, 8, 0.05, 0.05, 0, List.of("n1", "n2", "n3")),
        seed);
    Verdict verdict = CHECKER.check(history);
    assertThat(verdict.valid()).as("seed %d: %s", seed, verdict).isTrue();
    assertThat((Long) verdict.stats().get("appendsUnknownVisible")).isPositive();
  }

  // --- simulated histories, corrupted: each corruption must be caught ---

  private static History simulated(long seed) {
    return SimulatedHistories.generate(new SimulatedHistories.Params(
        SimulatedHistories.Workload.APPEND, 2, 800, 8, 0.05, 0.05, 0, List.of("n1", "n2", "n3")),
        seed);
  }

  /** Rewrites the value of every op that {@code pick} selects; the rest stay as they were. */
  private static History rewrite(
      History history,
      java.util.function.Predicate<Op> pick,
      java.util.function.UnaryOperator<List<Long>> change) {
    List<Op> ops = new ArrayList<>();
    for (Op op : history.ops()) {
      if (op.isOk() && op.isRead() && pick.test(op)) {
        List<Long> changed = change.apply(new ArrayList<>(op.listValue()));
        op = new Op(op.index(), op.process(), op.type(), op.f(), op.key(), changed, op.timeNs(),
            op.node(), op.error());
      }
      ops.add(op);
    }
    return History.of(ops);
  }

  private static long firstAcknowledgedElement(History history, String key) {
    return history.pairs().stream()
        .filter(p -> p.f().equals(Op.APPEND) && p.key().equals(key) && p.outcome().equals(
            io.pachyderm.chaos.history.OpType.OK))
        .findFirst().orElseThrow().invoke().longValue();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void simulatedHistoryLosingAnAcknowledgedElementEverywhereIsCaught(long seed) {
    History history = simulated(seed);
    long lost = firstAcknowledgedElement(history, "k0");
    History corrupted = rewrite(history, op -> op.key().equals("k0"), list -> {
      list.remove(lost);
      return list;
    });
    assertThat(CHECKER.check(corrupted).anomalies()).extracting(Anomaly::kind)
        .contains(Anomaly.LOST_WRITE);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void simulatedHistoryWithOneNodeMissingTheLastElementIsCaught(long seed) {
    History corrupted = rewrite(simulated(seed),
        op -> op.key().equals("k1") && "n2".equals(op.node()), list -> {
          list.remove(list.size() - 1);
          return list;
        });
    assertThat(CHECKER.check(corrupted).anomalies()).extracting(Anomaly::kind)
        .containsExactly(Anomaly.DIVERGENT_FINAL_READS);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void simulatedHistoryWithTheFinalOrderReversedIsCaught(long seed) {
    History corrupted = rewrite(simulated(seed), op -> op.f().equals(Op.FINAL_READ), list -> {
      java.util.Collections.reverse(list);
      return list;
    });
    assertThat(CHECKER.check(corrupted).anomalies()).extracting(Anomaly::kind)
        .contains(Anomaly.REORDERING);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void simulatedHistoryWithAnElementDeliveredTwiceIsCaught(long seed) {
    History corrupted = rewrite(simulated(seed), op -> op.f().equals(Op.FINAL_READ), list -> {
      list.add(list.get(0));
      return list;
    });
    assertThat(CHECKER.check(corrupted).anomalies()).extracting(Anomaly::kind)
        .contains(Anomaly.DUPLICATE);
  }

  // --- anomalies ---

  @Test
  void anAcknowledgedAppendMissingFromTheFinalReadsIsALostWrite() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    Op lost = h.done(1, Op.APPEND, "a", 2);
    h.done(1, Op.APPEND, "a", 3);
    finalReads(h, "a", 1L, 3L);

    Verdict verdict = check(h);

    assertThat(verdict.anomalies()).extracting(Anomaly::kind).contains(Anomaly.LOST_WRITE);
    assertThat(verdict.anomalies()).filteredOn(a -> a.kind().equals(Anomaly.LOST_WRITE))
        .singleElement()
        .satisfies(a -> assertThat(a.description()).contains("append of 2")
            .contains("#" + lost.index()));
  }

  @Test
  void anElementReadOnceAndMissingAtTheEndIsALostWrite() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.info(h.append(2, "a", 2));
    h.readOk(3, "a", List.of(1L, 2L));
    finalReads(h, "a", 1L);
    assertOnly(check(h), Anomaly.LOST_WRITE, "a");
  }

  @Test
  void anElementTwiceInOneReadIsADuplicate() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.done(1, Op.APPEND, "a", 2);
    h.readOk(2, "a", List.of(1L, 2L, 1L));
    finalReads(h, "a", 1L, 2L);
    assertOnly(check(h), Anomaly.DUPLICATE, "a");
  }

  @Test
  void aDuplicateInTheFinalReadsIsFound() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    finalReads(h, "a", 1L, 1L);
    Verdict verdict = check(h);
    assertThat(verdict.anomalies()).extracting(Anomaly::kind).containsOnly(Anomaly.DUPLICATE);
  }

  @Test
  void aFailedAppendThatBecomesVisibleIsFound() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.fail(h.append(2, "a", 2));
    finalReads(h, "a", 1L, 2L);
    assertOnly(check(h), Anomaly.FAILED_WRITE_VISIBLE, "a");
  }

  @Test
  void anElementNeverAppendedIsAPhantom() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    finalReads(h, "a", 1L, 99L);
    assertOnly(check(h), Anomaly.PHANTOM_ELEMENT, "a");
  }

  @Test
  void anElementReadBeforeItsAppendWasInvokedIsAPhantom() {
    HistoryBuilder h = new HistoryBuilder();
    h.readOk(2, "a", List.of(1L));
    h.done(1, Op.APPEND, "a", 1);
    finalReads(h, "a", 1L);
    assertOnly(check(h), Anomaly.PHANTOM_ELEMENT, "a");
  }

  @Test
  void twoReadsThatDisagreeOnTheOrderAreAReordering() {
    HistoryBuilder h = new HistoryBuilder();
    Op a1 = h.append(1, "a", 1);
    Op a2 = h.append(2, "a", 2);
    h.ok(a1);
    h.ok(a2);
    h.readOk(3, "a", List.of(2L, 1L));
    finalReads(h, "a", 1L, 2L);
    assertOnly(check(h), Anomaly.REORDERING, "a");
  }

  @Test
  void anAppendOrderedBeforeOneThatCompletedEarlierIsAReordering() {
    // 1 completed before 2 was invoked, yet every node has 2 first.
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.done(1, Op.APPEND, "a", 2);
    finalReads(h, "a", 2L, 1L);

    Verdict verdict = check(h);

    assertOnly(verdict, Anomaly.REORDERING, "a");
    assertThat(verdict.anomalies().get(0).description())
        .contains("append of 1 completed").contains("2 comes first");
  }

  @Test
  void aReadMissingACompletedAppendIsStale() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.done(1, Op.APPEND, "a", 2);
    h.readOk(2, "a", List.of(1L));
    finalReads(h, "a", 1L, 2L);

    Verdict verdict = check(h);

    assertOnly(verdict, Anomaly.STALE_READ, "a");
    assertThat(verdict.anomalies().get(0).description()).contains("misses 2");
  }

  @Test
  void aReadShorterThanAnEarlierCompletedReadIsStale() {
    // The append of 2 never completed, so only the earlier read proves it had happened.
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.info(h.append(2, "a", 2));
    h.readOk(3, "a", List.of(1L, 2L));
    h.readOk(4, "a", List.of(1L));
    finalReads(h, "a", 1L, 2L);
    assertOnly(check(h), Anomaly.STALE_READ, "a");
  }

  @Test
  void concurrentReadsMayDifferInLength() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    Op a2 = h.append(1, "a", 2);
    Op r1 = h.read(3, "a");
    Op r2 = h.read(4, "a");
    h.ok(r2, List.of(1L, 2L));
    h.ok(r1, List.of(1L));
    h.ok(a2);
    finalReads(h, "a", 1L, 2L);
    assertThat(check(h).valid()).isTrue();
  }

  @Test
  void nodesThatDisagreeAtTheEndAreDivergent() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.info(h.append(2, "a", 2));
    h.finalRead("n1", "a", List.of(1L, 2L));
    h.finalRead("n2", "a", List.of(1L, 2L));
    h.finalRead("n3", "a", List.of(1L));

    Verdict verdict = check(h);

    assertOnly(verdict, Anomaly.DIVERGENT_FINAL_READS, "a");
    assertThat(verdict.anomalies().get(0).description()).contains("n3").contains("[1]");
  }

  @Test
  void anElementAppendedTwiceMakesTheKeyMalformed() {
    HistoryBuilder h = new HistoryBuilder();
    h.done(1, Op.APPEND, "a", 1);
    h.done(1, Op.APPEND, "a", 1);
    assertOnly(check(h), Anomaly.MALFORMED_HISTORY, "a");
  }

  @Test
  void anomaliesArePerKeyAndCapped() {
    HistoryBuilder h = new HistoryBuilder();
    List<Long> kept = new ArrayList<>();
    for (long e = 1; e <= 30; e++) {
      h.done(1, Op.APPEND, "big", e);
      if (e == 1) {
        kept.add(e);
      }
    }
    h.done(1, Op.APPEND, "ok", 1);
    finalReads(h, "big", kept.toArray(new Long[0]));
    finalReads(h, "ok", 1L);

    Verdict verdict = check(h);

    assertThat(verdict.anomalies()).hasSize(AppendChecker.ANOMALIES_PER_KIND_PER_KEY_MAX)
        .allSatisfy(a -> assertThat(a.key()).isEqualTo("big"));
    assertThat(verdict.stats()).containsEntry("anomaliesSuppressed", 19L);
  }
}
