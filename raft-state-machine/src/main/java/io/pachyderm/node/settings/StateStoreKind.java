package io.pachyderm.node.settings;

/**
 * Where a node keeps its entities' applied states ({@code PachydermNode.Builder#stateStore}).
 * The replicated state is the same either way: nodes of one cluster may use different kinds.
 */
public enum StateStoreKind {
  /**
   * Every entity in the heap: the number of entities is bounded by the heap, and every snapshot
   * encodes them all. For tests, the simulation, and small data sets that want no disk read ever;
   * ignores {@link StateCache}.
   */
  HEAP,
  /**
   * RocksDB under {@code <dataDir>/state}, behind a cache of hot entities bounded in bytes and idle
   * time ({@link StateCache}: an eighth of the heap, 10 minutes, by default): the number of
   * entities is bounded by the disk, and a snapshot is a RocksDB checkpoint (hard links, no entity
   * re-encoded). Rebuilt from the latest snapshot at every start; see the {@code state-store}
   * module for the crash story.
   */
  DISK;

  /** The kind a node and the local ecosystem use unless told otherwise (the simulation keeps HEAP). */
  public static final StateStoreKind DEFAULT = DISK;
}
