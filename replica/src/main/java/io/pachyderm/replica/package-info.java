/**
 * The replica core: the rules of the replicated state machine with no IO. {@link
 * io.pachyderm.replica.Replica} applies log entries to the replicated state (entities in a {@link
 * io.pachyderm.replica.StateStore}, the de-duplication table, the outbox) and returns what each did
 * as an {@link io.pachyderm.replica.Applied}; {@link io.pachyderm.replica.Decider} is the leader's
 * decision step, from an item and the state it works on to a record. The node's Ratis adapter
 * feeds entries in and performs the journal writes, effect dispatch and replies; the simulation
 * ecosystem (module {@code simulation}) runs the same code, one entry per step. Nothing here reads
 * a clock or a random source.
 */
package io.pachyderm.replica;
