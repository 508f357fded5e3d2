package io.pachyderm.chaos.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.workload.EffectCounterEntity;
import io.pachyderm.chaos.workload.ReliableEffectCounterEntity;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EffectHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chaos node's effect handlers: what they log, and which attempts they fail on purpose. */
class DispatchLogTest {
  @TempDir Path dir;

  private static EffectContext ctx(String id, long version) {
    return new EffectContext("default", ReliableEffectCounterEntity.TYPE.ref(id), version, 40 + version, 2, 0, "n1");
  }

  @Test
  void thePlanFailsTheFirstAttemptsOfEveryNthKeyOnly() {
    DispatchLog.FailurePlan plan = new DispatchLog.FailurePlan(3, 1);
    List<String> failing = new ArrayList<>();
    for (int v = 1; v <= 300; v++) {
      String key = ctx("l0", v).idempotencyKey();
      if (plan.fails(key, 1)) {
        failing.add(key);
      }
      assertThat(plan.fails(key, 2)).as("second attempt of %s", key).isFalse();
    }
    // By key hash: about a third, and the same keys every time.
    assertThat(failing.size()).isBetween(60, 140);
    assertThat(DispatchLog.FailurePlan.NONE.fails(failing.get(0), 1)).isFalse();
  }

  @Test
  void anAttemptIsLoggedBeforeAPlannedFailureAndTheRetrySucceeds() throws Exception {
    Path file = dir.resolve("n1-dispatch.jsonl");
    // Fail the first two attempts of every key.
    DispatchLog.FailurePlan plan = new DispatchLog.FailurePlan(1, 2);
    try (DispatchLog log = new DispatchLog(file)) {
      EffectHandler<ReliableEffectCounterEntity.Due> handler =
          log.atLeastOnce(plan, () -> new DispatchLog.Role(true, 5));
      ReliableEffectCounterEntity.Due due = new ReliableEffectCounterEntity.Due("l0", 7);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> handler.dispatch(due, ctx("l0", 7)))
            .isInstanceOf(DispatchLog.InjectedFailure.class)
            .hasMessageContaining("attempt " + (i + 1) + " of default/reliable-effect-counter/l0@7#0");
      }
      handler.dispatch(due, ctx("l0", 7));
    }

    List<Dispatch> logged = Dispatch.read(file);

    assertThat(logged).extracting(Dispatch::attempt).containsExactly(1, 2, 3);
    assertThat(logged).extracting(Dispatch::ok).containsExactly(false, false, true);
    assertThat(logged).allSatisfy(d -> {
      assertThat(d.effect()).isEqualTo("l0@7");
      assertThat(d.idempotencyKey()).isEqualTo("default/reliable-effect-counter/l0@7#0");
      assertThat(d.nodeTerm()).isEqualTo(5);
      assertThat(d.leader()).isTrue();
      assertThat(d.term()).isEqualTo(2);
    });
  }

  @Test
  void atMostOnceDispatchesAreLoggedInTheirShortForm() throws Exception {
    Path file = dir.resolve("n1-dispatch.jsonl");
    try (DispatchLog log = new DispatchLog(file)) {
      log.atMostOnce().dispatch(new EffectCounterEntity.Reached(3),
          new EffectContext("default", EffectCounterEntity.TYPE.ref("e0"), 3, 12, 2, 0, "n1"));
    }

    assertThat(Dispatch.read(file)).containsExactly(new Dispatch("n1", 2, 12, "default/effect-counter/e0@3#0"));
  }
}
