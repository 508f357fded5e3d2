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
 * onto a newer state would fail their version checks and add outbox items twice. Of the two ways
 * out (trust the store's own applied index and make Ratis start there, or trust the snapshot) this
 * store takes the second: at every start (deleting the old database unread), and at every snapshot
 * installed from a leader, the node empties the live database and loads the snapshot into it, then
 * Ratis replays the log. So the
 * live database is a cache of the log on disk, never a source of truth; a database damaged by a
 * crash (or a bad disk) is thrown away at the next start, and what a node serves comes only from
 * its snapshot and its log. The cost is a start that reloads the whole snapshot.
 *
 * <p>Still in the heap: the de-duplication table and the outbox (bounded as before, written in
 * the snapshot), and the per-ecosystem entity counts the quota checks.
 */
package io.pachyderm.statestore;
