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
