/**
 * The node's event journal: every applied event with its metadata, appended in log order to a
 * Chronicle Queue and kept after the Raft log behind it is purged. Serves {@code history} (an
 * index from ref to excerpts: in the heap, loaded on open from the index file saved at the last
 * snapshot plus a scan of the records after it, or in RocksDB with {@code IndexKind.DISK}, which
 * persists each change and re-indexes on open only what followed its last persisted one) and
 * {@code follow} (a tailer from a log index). The record format is documented for external readers in {@code log-storage/JOURNAL.md}.
 * The journal is memory-mapped: it survives a process crash but not a machine crash until
 * {@link io.pachyderm.storage.journal.EventJournal#sync()}, so the Raft log stays the durable
 * truth until a snapshot has synced the journal.
 *
 * <p>{@link io.pachyderm.storage.journal.EventJournal} is the only public entry point, a facade
 * over package-private parts, one concern each: the queue and excerpt checks, the order rules,
 * the in-memory index and its files, open's recovery, the writer, retention and the reader.
 */
package io.pachyderm.storage.journal;
