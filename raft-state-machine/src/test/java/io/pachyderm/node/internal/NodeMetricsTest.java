package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.Conflict;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Rejection;
import io.pachyderm.protocol.RejectionKind;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The node's meters as the hot classes report to them: outcomes, bounded tags, counted effects. */
class NodeMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final NodeMetrics metrics = new NodeMetrics("n1", registry, Set.of("counter"));

  @Test
  void outcomesAreCountedByResultAndRejectionKind() {
    metrics.commandApplied("eco", "counter", applied(), 1_000_000);
    metrics.commandApplied("eco", "counter", applied(), 2_000_000);
    metrics.commandApplied("eco", "counter", rejected(RejectionKind.REJECTED_BY_ENTITY), 1_000_000);
    metrics.commandApplied("eco", "counter", rejected(RejectionKind.REJECTION_KIND_UNSPECIFIED), 1_000_000);
    metrics.commandApplied("eco", "counter", Outcome.newBuilder().setConflict(Conflict.getDefaultInstance()).build(), 1);

    assertThat(count("accepted", "none")).isEqualTo(2);
    assertThat(count("rejected", "rejected_by_entity")).isEqualTo(1);
    assertThat(count("rejected", "invalid_request")).as("an unspecified kind reads as the client reads it").isEqualTo(1);
    assertThat(count("conflict", "none")).isEqualTo(1);
    assertThat(registry.get("pachyderm.call.latency").tags("ecosystem", "eco", "type", "counter", "node", "n1").timer()
        .count()).isEqualTo(5);
  }

  @Test
  void latencyTagsAreBoundedWhateverTheEcosystemsAndTypes() {
    for (int i = 0; i < 100; i++) {
      metrics.commandApplied("eco-" + i, "counter", applied(), 1);
      metrics.commandApplied("eco-0", "type-" + i, applied(), 1);
    }
    var timers = registry.find("pachyderm.call.latency").timers();
    assertThat(timers).hasSize(NodeMetrics.ECOSYSTEM_TAGS_MAX + 2);
    assertThat(registry.get("pachyderm.call.latency").tags("ecosystem", NodeMetrics.OTHER, "type", "counter").timer()
        .count()).isEqualTo(100 - NodeMetrics.ECOSYSTEM_TAGS_MAX);
    assertThat(registry.get("pachyderm.call.latency").tags("ecosystem", "eco-0", "type", NodeMetrics.UNKNOWN).timer()
        .count()).isEqualTo(100);
  }

  @Test
  void effectHandlersAreCountedAndTheirFailuresStillThrown() throws Exception {
    EffectHandler<Object> ok = (effect, ctx) -> { };
    EffectHandler<Object> failing = (effect, ctx) -> {
      throw new IllegalStateException("smtp down");
    };
    @SuppressWarnings("unchecked")
    Map<String, EffectHandler<?>> counted = metrics.counting(Map.of("ok", ok, "failing", failing));
    EffectContext ctx = new EffectContext("eco", io.pachyderm.entity.EntityRef.of("counter", "c1"), 1, 1, 1, 0, "n1");
    ((EffectHandler<Object>) counted.get("ok")).dispatch("x", ctx);
    assertThatThrownBy(() -> ((EffectHandler<Object>) counted.get("failing")).dispatch("x", ctx))
        .hasMessage("smtp down");
    assertThat(registry.get("pachyderm.effect.attempts").tag("handler", "ok").counter().count()).isEqualTo(1);
    assertThat(registry.get("pachyderm.effect.failures").tag("handler", "ok").counter().count()).isZero();
    assertThat(registry.get("pachyderm.effect.attempts").tag("handler", "failing").counter().count()).isEqualTo(1);
    assertThat(registry.get("pachyderm.effect.failures").tag("handler", "failing").counter().count()).isEqualTo(1);
  }

  @Test
  void closeRemovesTheNodesMetersFromASharedRegistry() {
    metrics.commandApplied("eco", "counter", applied(), 1);
    assertThat(registry.getMeters()).isNotEmpty();
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  private double count(String result, String kind) {
    return registry.get("pachyderm.commands").tags("result", result, "kind", kind, "node", "n1").counter().count();
  }

  private static Outcome applied() {
    return Outcome.newBuilder().setApplied(Applied.newBuilder().setVersion(1)).build();
  }

  private static Outcome rejected(RejectionKind kind) {
    return Outcome.newBuilder().setRejected(Rejection.newBuilder().setKind(kind).setMessage("no")).build();
  }
}
