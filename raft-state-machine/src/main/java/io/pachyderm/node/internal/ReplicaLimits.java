package io.pachyderm.node.internal;

import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.replica.ReplicatedTableLimits;

/**
 * The replica's table bounds from the node's public {@link NodeLimits}: the public record carries
 * plain fields so that no replica type shows in the node's API. Stateless.
 */
public final class ReplicaLimits {
  private ReplicaLimits() {}

  public static ReplicatedTableLimits tables(NodeLimits limits) {
    return new ReplicatedTableLimits(limits.dedupBytesMax(), limits.dedupRepliesMax(), limits.dedupReplyBytesMax(),
        limits.outboxItemsMax(), limits.entitiesPerEcosystemMax(), limits.dedupAgeEntriesMax());
  }
}
