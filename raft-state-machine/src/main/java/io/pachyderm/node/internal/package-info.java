/**
 * The Ratis side: {@link io.pachyderm.node.internal.EntityStateMachine} maps entities onto the
 * Raft log (DESIGN.md section 2) as an adapter around the replica core ({@code io.pachyderm.replica}):
 * {@code LeaderEntries} builds the leader's entries (lanes, speculation, the core's decider),
 * {@code AppliedCarrier} performs the IO an applied entry asks for, {@code NodeReads} answers
 * reads, {@code SnapshotStore} keeps snapshot files. Package-private machinery; the public surface
 * is {@link io.pachyderm.node.PachydermNode}.
 */
package io.pachyderm.node.internal;
