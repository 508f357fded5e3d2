/**
 * Entity state on disk (issue 14): {@link io.pachyderm.statestore.RocksStateStore}, the replica's
 * {@link io.pachyderm.replica.StateStore} in RocksDB, keyed by the entity key's bytes (in {@link
 * io.pachyderm.runtime.EntityKey} order) to (version, digest item, encoded state), behind a bounded
 * cache of hot decoded entities.
 *
 * <p>Crash story. One {@code WriteBatch} per applied log entry, holding its states, the applied
 * index and the entity count; the WAL is off, because the Raft log already is the write-ahead log.
 * After a crash the live database holds whatever RocksDB had flushed: possibly a state from after
 * the latest snapshot, while Ratis replays the log from that snapshot's index. Replaying entries
 * onto a newer state would fail their version checks and add outbox items twice. So the node
 * never trusts the live database: at every start (deleting the old database unread), and at every
 * snapshot installed from a leader, it replaces the live database with the latest snapshot's, then
 * Ratis replays the log. A DISK node's snapshot is a RocksDB checkpoint ({@link
 * io.pachyderm.statestore.RocksStateStore#checkpoint}: memtable flushed, table files hard-linked,
 * taken at an entry boundary on Ratis' apply thread), and loading it ({@link
 * io.pachyderm.statestore.RocksStateStore#replaceWith}) hard-links its table files into the live
 * directory and copies the few others: no entity is read or re-encoded, so neither a snapshot nor a
 * restart grows with the entity count (verifying the files' MD5s still reads their bytes). The
 * live database is a cache of snapshot plus log on disk, never a source of truth; a file of its own
 * damaged by a crash or a bad disk is thrown away at the next start. Its table files are the
 * checkpoint's files, not copies: RocksDB never writes a table file again, so only a damaged disk
 * changes one, and then the checkpoint's MD5 check stops the start naming it.
 *
 * <p>Beside the entities, under keys starting with {@link io.pachyderm.replica.StoreTables#PREFIX}
 * ({@code RocksTables}), the replica's de-duplication table and its outbox (messages, effects,
 * dead letters, timers and the timers' due-time index), committed with the entities at each entry,
 * written back with them, and so in every checkpoint. Still in the heap: the tables' counters and digests, and the per-ecosystem entity
 * counts the quota checks (a few numbers per ecosystem, restored from the snapshot header).
 */
package io.pachyderm.statestore;
