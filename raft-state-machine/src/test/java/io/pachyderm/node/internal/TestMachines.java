package io.pachyderm.node.internal;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.storage.journal.JournalOptions;
import java.util.Map;
import java.util.Set;

/** State machines for tests that drive one directly, without a Ratis server: no journal, no effect handlers, the heap store. */
final class TestMachines {
  private TestMachines() {}

  static EntityStateMachine plain(String nodeId, EntityTypes types, NodeLimits limits) {
    return new EntityStateMachine(nodeId, types, limits, Map.of(), EffectRetry.DEFAULT, 100, null,
        JournalOptions.defaults(), 200_000, new NodeMetrics(nodeId, new SimpleMeterRegistry(), Set.copyOf(types.names())),
        QueueLimits.DEFAULT, new HeapStateStore());
  }
}
