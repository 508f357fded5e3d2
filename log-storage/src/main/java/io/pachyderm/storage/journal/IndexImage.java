package io.pachyderm.storage.journal;

/**
 * A consistent copy of the journal's in-memory index ({@link JournalIndex}) at one position, as
 * saved to and loaded from an index file ({@link IndexFile}). Ref runs share their excerpt arrays
 * with the live index: the live index only writes past a captured size or replaces an array,
 * never rewrites a captured slot. Not thread-safe; handed from the apply thread to the index writer once.
 */
final class IndexImage {
  /** Chronicle roll cycle name: an index of a queue with another cycle has other excerpt numbers. */
  String rollCycle;
  /** The newest excerpt the index reflects (record or marker); a reopen scans what follows it. */
  long throughExcerpt;
  /** CRC32 of that excerpt's bytes: proves the queue on disk is the queue this index describes. */
  long throughExcerptCrc;

  Position last;
  long lastGapExcerpt;
  long gapFloorLogIndex;

  long sinceCheckpoint;
  int checkpoints;
  long[] cpLogIndex;
  long[] cpExcerpt;

  int markers;
  long[] markerExcerpt;
  long[] markerAfterLogIndex;

  int refs;
  RefIndex.Key[] keys;
  long[][] excerpts;
  int[] sizes;
  long[] firstVersions;
}
