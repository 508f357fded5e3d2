/**
 * What a running node reports about itself: its health ({@link io.pachyderm.node.status.NodeHealth}),
 * its outbox ({@link io.pachyderm.node.status.OutboxStats}) and a digest of its applied state
 * ({@link io.pachyderm.node.status.AppliedDigest}). Immutable snapshots taken when asked; thread-safe.
 * Their own package so that the machinery in {@code io.pachyderm.node.internal} builds them without
 * using {@code io.pachyderm.node}.
 */
package io.pachyderm.node.status;
