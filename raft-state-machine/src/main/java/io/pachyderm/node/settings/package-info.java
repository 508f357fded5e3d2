/**
 * What a node is configured with besides its peers and directories: the limits enforced before
 * anything is replicated ({@link io.pachyderm.node.settings.NodeLimits}), the bounds of its queues
 * and pools ({@link io.pachyderm.node.settings.QueueLimits}), how effects are retried
 * ({@link io.pachyderm.node.settings.EffectRetry}) and what a fatal error does
 * ({@link io.pachyderm.node.settings.FatalErrorPolicy}). Immutable values, validated when built;
 * thread-safe. Their own package so that both {@code io.pachyderm.node} and the machinery in
 * {@code io.pachyderm.node.internal} use them without the two packages using each other.
 */
package io.pachyderm.node.settings;
