package io.pachyderm.storage.journal;

import io.pachyderm.protocol.Ref;

/**
 * Ref -> the excerpts of that ref's valid records, in version order: the part of {@link
 * JournalIndex} that grows with the number of refs. Two kinds ({@link JournalOptions.IndexKind}):
 * {@link RefIndex} in the heap, saved whole to an index file, and {@link DiskRefIndex} in RocksDB,
 * whose heap use is bounded and which persists each change as it happens. Versions of one ref are
 * contiguous (a run); a version that is not the next one restarts the ref's run (a jump after a
 * gap marker). Not thread-safe: {@link JournalIndex} calls every method under its lock.
 *
 * <p>The persistence hooks ({@link #putCheckpoint}, {@link #putMarker}, {@link #commit} ...) let
 * the disk kind write the rest of the index's state in the same atomic batch as the ref rows; the
 * heap kind keeps nothing of them (its index file is written from {@link JournalIndex#capture}).
 */
interface RefRuns extends AutoCloseable {
  /** A ref's run: versions {@code firstVersion..lastVersion}, the last one at {@code lastExcerpt}. */
  interface Tail {
    long firstVersion();

    long lastVersion();

    long lastExcerpt();
  }

  /** Excerpts of versions {@code firstVersion..firstVersion + size - 1} of one ref; a copy. */
  record Page(long firstVersion, long[] excerpts, int size) {}

  /** The ref's run, or null when none is indexed. */
  Tail tail(RefIndex.Key key);

  /**
   * Appends {@code excerpt} as {@code version} of {@code key}; {@code tail} is what {@link #tail}
   * returned for it with nothing changed since. A version other than the next one restarts the run.
   */
  void add(RefIndex.Key key, Tail tail, long version, long excerpt);

  /** Removes the last record of {@code ref}, which must be {@code excerpt} (truncation runs backward). */
  void removeLast(Ref ref, long excerpt);

  /** Up to {@code limit} excerpts of {@code key} from {@code fromVersion} (or the run's first), or null without a run. */
  Page page(RefIndex.Key key, long fromVersion, int limit);

  /** Drops every record whose excerpt is below {@code firstExcerpt} (retention). */
  void dropBefore(long firstExcerpt);

  /** Back to empty. */
  void clear();

  long records();

  int refs();

  /** Estimated heap bytes this index retains (its own accounting, for tests and figures). */
  long heapBytesEstimate();

  /** A checkpoint (log index -> excerpt) was added: see {@link JournalIndex#CHECKPOINT_EVERY}. */
  default void putCheckpoint(long excerpt, long logIndex) {}

  /** Checkpoints at excerpts above {@code excerpt} were dropped (a truncation). */
  default void dropCheckpointsAfter(long excerpt) {}

  /** A truncation marker at {@code excerpt} voids log indexes above {@code afterLogIndex}. */
  default void putMarker(long excerpt, long afterLogIndex) {}

  /**
   * The end of one change of the index (an append, a marker, a trim): the disk kind writes every
   * row of the change with the index's new end, atomically; the heap kind has nothing to do.
   */
  default void commit(IndexEnd end) {}

  /** Makes every committed change durable (the disk kind's {@code saveIndex}). */
  default void flush() {}

  @Override
  default void close() {}

  /**
   * The index's small state after a change, as {@link JournalIndex} holds it: the journal's end, the
   * newest gap, the newest excerpt indexed, and the count towards the next checkpoint.
   */
  record IndexEnd(Position last, long lastGapExcerpt, long gapFloorLogIndex, long indexedExcerpt,
      long sinceCheckpoint) {}
}
