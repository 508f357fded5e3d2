package io.pachyderm.node.settings;

/**
 * Where a node keeps its entities' applied states ({@code PachydermNode.Builder#stateStore}).
 * The replicated state is the same either way: nodes of one cluster may use different kinds.
 */
public enum StateStoreKind {
  /**
   * Every entity in the heap: the number of entities is bounded by the heap, and every snapshot
   * encodes them all. The default until snapshots are taken as RocksDB checkpoints (issue 14): a
   * DISK store's snapshot still reads every entity back and encodes it, so today it bounds heap
   * use but not snapshot time, at a cost per applied entry.
   */
  HEAP,
  /**
   * RocksDB under {@code <dataDir>/state}, behind a cache of hot entities of at most an eighth of
   * the heap ({@code stateCacheBytesMax}): the number of entities is bounded by the disk. Rebuilt
   * from the latest snapshot at every start; see the {@code state-store} module for the crash story.
   */
  DISK;

  /** The kind a node and the local ecosystem use unless told otherwise. */
  public static final StateStoreKind DEFAULT = DISK;
}
