package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.chaos.checker.EffectsChecker.Guarantee;
import io.pachyderm.chaos.history.HistoryBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN §3: effects are dispatched only by the leader that appended the entry, at most once. */
class EffectsCheckerTest {
  @TempDir Path dir;

  private static Verdict check(Dispatch... dispatches) {
    return new EffectsChecker(List.of(dispatches)).check(new HistoryBuilder().build());
  }

  @Test
  void oneLeaderPerTermEachEffectOnceIsValid() {
    Verdict verdict = check(
        new Dispatch("n1", 2, 10, "e1/1/10"),
        new Dispatch("n1", 2, 11, "e1/2/11"),
        new Dispatch("n3", 3, 15, "e2/1/15"));

    assertThat(verdict.valid()).isTrue();
    assertThat(verdict.stats()).containsEntry("dispatched", 3).containsEntry("terms", 2);
  }

  @Test
  void anEffectDispatchedTwiceIsADuplicate() {
    // A new leader re-dispatching an at-most-once effect its predecessor already sent.
    Verdict verdict = check(
        new Dispatch("n1", 2, 10, "e1/1/10"),
        new Dispatch("n2", 3, 10, "e1/1/10"));

    assertThat(verdict.valid()).isFalse();
    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_DUPLICATE);
      assertThat(a.key()).isEqualTo("e1/1/10");
    });
  }

  @Test
  void twoNodesDispatchingInOneTermMeansOneWasNotTheLeader() {
    Verdict verdict = check(
        new Dispatch("n1", 4, 20, "e1/1/20"),
        new Dispatch("n2", 4, 21, "e1/2/21"));

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_BY_NON_LEADER);
      assertThat(a.description()).contains("[n1, n2]").contains("term 4");
    });
  }

  @Test
  void aDispatchWithoutATermIsReported() {
    Verdict verdict = check(new Dispatch("n1", 0, 20, "e1/1/20"));
    assertThat(verdict.anomalies()).extracting(Anomaly::kind)
        .containsExactly(Anomaly.EFFECT_UNKNOWN_TERM);
  }

  @Test
  void atLeastOnceAllowsDuplicatesButNotMissingEffects() {
    List<Dispatch> dispatches = List.of(
        new Dispatch("n1", 2, 10, "e1/1/10"),
        new Dispatch("n2", 3, 10, "e1/1/10"));
    EffectsChecker checker =
        new EffectsChecker(dispatches, Guarantee.AT_LEAST_ONCE, Set.of("e1/1/10", "e1/2/12"));

    Verdict verdict = checker.check(new HistoryBuilder().build());

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_MISSING);
      assertThat(a.key()).isEqualTo("e1/2/12");
    });
    assertThat(verdict.stats()).containsEntry("keysDispatchedMoreThanOnce", 1L);
  }

  // --- at least once, with attempts logged (the effects-alo workload) ---

  private static Dispatch attempt(String node, long term, String key, String effect, int attempt, boolean ok) {
    return Dispatch.attempt(node, term, 10, key, effect, attempt, ok, term, true, 1_700_000_000_000L);
  }

  private static Verdict atLeastOnce(Set<String> required, List<Dispatch> dispatches) {
    return new EffectsChecker(dispatches, Guarantee.AT_LEAST_ONCE, Set.copyOf(required))
        .check(new HistoryBuilder().build());
  }

  @Test
  void aFailedAttemptRetriedToSuccessIsValid() {
    Verdict verdict = atLeastOnce(Set.of("l0@1", "l0@2"), List.of(
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 1, false),
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 2, true),
        // A new leader re-dispatches what the old one may not have acknowledged.
        attempt("n2", 3, "default/rec/l0@1#0", "l0@1", 1, true),
        attempt("n2", 3, "default/rec/l0@2#0", "l0@2", 1, true)));

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats())
        .containsEntry("failedAttempts", 1L)
        .containsEntry("effectsSucceededMoreThanOnce", 1L)
        .containsEntry("attemptMaxOnANode", 2)
        .containsEntry("missing", 0L);
  }

  @Test
  void anEffectWhoseEveryAttemptFailedIsLost() {
    Verdict verdict = atLeastOnce(Set.of("l0@1", "l0@2"), List.of(
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 1, true),
        attempt("n1", 2, "default/rec/l0@2#0", "l0@2", 1, false),
        attempt("n1", 2, "default/rec/l0@2#0", "l0@2", 2, false)));

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_MISSING);
      assertThat(a.key()).isEqualTo("l0@2");
      assertThat(a.description()).contains("2 attempts, all failed");
    });
  }

  @Test
  void anEffectNeverAttemptedIsLost() {
    Verdict verdict = atLeastOnce(Set.of("l0@1", "l3@7"), List.of(
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 1, true)));

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_MISSING);
      assertThat(a.key()).isEqualTo("l3@7");
      assertThat(a.description()).contains("never dispatched");
    });
  }

  @Test
  void aRetryUnderAnotherIdempotencyKeyIsReported() {
    Verdict verdict = atLeastOnce(Set.of("l0@1"), List.of(
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 1, false),
        attempt("n1", 2, "default/rec/l0@1#1", "l0@1", 2, true)));

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_KEY_CHANGED);
      assertThat(a.key()).isEqualTo("l0@1");
      assertThat(a.description()).contains("2 idempotency keys [default/rec/l0@1#0, default/rec/l0@1#1]");
    });
  }

  @Test
  void twoEffectsSharingOneIdempotencyKeyAreReported() {
    Verdict verdict = atLeastOnce(Set.of("l0@1", "l0@2"), List.of(
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 1, true),
        attempt("n1", 2, "default/rec/l0@1#0", "l0@2", 1, true)));

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_KEY_CHANGED);
      assertThat(a.key()).isEqualTo("default/rec/l0@1#0");
      assertThat(a.description()).contains("2 different effects [l0@1, l0@2]");
    });
  }

  @Test
  void anAttemptByALeaderThatHadJustSteppedDownIsCountedNotReported() {
    // Seen under pauses: n3 led term 1, was paused, and on resume Ratis deposed it before its
    // dispatcher ran the attempts it had queued; n2, leader of term 2, dispatched them again.
    Verdict verdict = atLeastOnce(Set.of("l0@1"), List.of(
        Dispatch.attempt("n3", 1, 10, "default/rec/l0@1#0", "l0@1", 1, true, 1, true, 1L),
        Dispatch.attempt("n3", 1, 11, "default/rec/l0@2#0", "l0@2", 1, true, 1, false, 2L),
        Dispatch.attempt("n2", 1, 11, "default/rec/l0@2#0", "l0@2", 1, true, 2, true, 3L)));

    assertThat(verdict.valid()).as(verdict.toString()).isTrue();
    assertThat(verdict.stats()).containsEntry("dispatchesAfterStepDown", 1L);
  }

  @Test
  void leadershipIsJudgedByTheTermTheNodeDispatchedIn() {
    // n2 re-dispatches in its own term 3 an effect of an entry that n1 appended in term 2: fine.
    List<Dispatch> redispatch = List.of(
        Dispatch.attempt("n1", 2, 10, "k1", "l0@1", 1, false, 2, true, 5L),
        Dispatch.attempt("n2", 2, 10, "k1", "l0@1", 1, true, 3, true, 5L));
    assertThat(atLeastOnce(Set.of("l0@1"), redispatch).valid()).isTrue();

    // Two nodes dispatching in the same term of their own: one was not the leader.
    List<Dispatch> sameTerm = List.of(
        Dispatch.attempt("n1", 2, 10, "k1", "l0@1", 1, true, 3, true, 5L),
        Dispatch.attempt("n2", 2, 11, "k2", "l0@2", 1, true, 3, true, 5L));
    assertThat(atLeastOnce(Set.of("l0@1", "l0@2"), sameTerm).anomalies()).singleElement()
        .satisfies(a -> assertThat(a.description()).contains("[n1, n2]").contains("term 3"));
  }

  @Test
  void anEffectOfACommandThatNeverCommittedIsReported() {
    EffectsChecker checker = new EffectsChecker(List.of(
        attempt("n1", 2, "default/rec/l0@1#0", "l0@1", 1, true),
        attempt("n1", 2, "default/rec/l0@2#0", "l0@2", 1, true)),
        Guarantee.AT_LEAST_ONCE, h -> new EffectsChecker.Expected(Set.of("l0@1"), id -> id.equals("l0@1")));

    Verdict verdict = checker.check(new HistoryBuilder().build());

    assertThat(verdict.anomalies()).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(Anomaly.EFFECT_UNCOMMITTED);
      assertThat(a.key()).isEqualTo("l0@2");
    });
  }

  @Test
  void attemptsRoundTripThroughTheLog() throws Exception {
    Path log = dir.resolve("n1-dispatch.jsonl");
    Dispatch failed = Dispatch.attempt("n1", 2, 10, "default/rec/l0@1#0", "l0@1", 1, false, 3, true, 1234L);
    failed.appendTo(log);
    new Dispatch("n1", 2, 11, "e1/2/11").appendTo(log);

    assertThat(Dispatch.read(log)).containsExactly(failed, new Dispatch("n1", 2, 11, "e1/2/11"));
    assertThat(Files.readAllLines(log).get(0)).isEqualTo("{\"node\":\"n1\",\"term\":2,\"logIndex\":10,"
        + "\"idempotencyKey\":\"default/rec/l0@1#0\",\"effect\":\"l0@1\",\"attempt\":1,\"ok\":false,"
        + "\"nodeTerm\":3,\"leader\":true,\"atMs\":1234}");
  }

  @Test
  void dispatchLogsRoundTripAndSurviveATruncatedLastLine() throws Exception {
    Path n1 = dir.resolve("n1-dispatch.jsonl");
    Path n2 = dir.resolve("n2-dispatch.jsonl");
    new Dispatch("n1", 2, 10, "e1/1/10").appendTo(n1);
    new Dispatch("n1", 2, 11, "e1/2/11").appendTo(n1);
    Dispatch.write(n2, List.of(new Dispatch("n2", 3, 12, "e2/1/12")));
    Files.writeString(n2, "{\"node\":\"n2\",\"te", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    List<Dispatch> all = Dispatch.readAll(List.of(n1, n2, dir.resolve("n3-dispatch.jsonl")));

    assertThat(all).containsExactly(
        new Dispatch("n1", 2, 10, "e1/1/10"),
        new Dispatch("n1", 2, 11, "e1/2/11"),
        new Dispatch("n2", 3, 12, "e2/1/12"));
    assertThat(Files.readAllLines(n1).get(0))
        .isEqualTo("{\"node\":\"n1\",\"term\":2,\"logIndex\":10,\"idempotencyKey\":\"e1/1/10\"}");
  }

  @Test
  void aMalformedLineBeforeTheLastIsAnError() throws Exception {
    Path log = dir.resolve("n1-dispatch.jsonl");
    Files.write(log, List.of("{\"node\":\"n1\"}", new Dispatch("n1", 1, 1, "k").toJsonLine()));
    assertThatThrownBy(() -> Dispatch.read(log)).hasMessageContaining("missing field 'term'");
  }
}
