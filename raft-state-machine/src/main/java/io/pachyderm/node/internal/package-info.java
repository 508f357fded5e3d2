/**
 * The Ratis side: {@link io.pachyderm.node.internal.EntityStateMachine} maps entities onto the
 * Raft log (DESIGN.md section 2) as an adapter around the replica core ({@code io.pachyderm.replica}):
 * {@code LeaderEntries} builds the leader's entries (lanes, speculation, the core's decider),
 * {@code AppliedCarrier} performs the IO an applied entry asks for, {@code NodeReads} answers
 * reads, {@code SnapshotStore} keeps snapshot files. The node's assembly: {@code RatisConfig}
 * (Ratis properties), {@code NodeGuards} (TLS, authorizer and port guards), {@code NodeChecks}
 * (checks before serving), {@code NodeMeters} (meters and the metrics endpoint),
 * {@code NodeLifecycle} (start and close), {@code NodeInternals} (the Ratis server, for tests and
 * tooling). Internal machinery, public only across packages; the public surface is
 * {@link io.pachyderm.node.PachydermNode}.
 */
package io.pachyderm.node.internal;
