package io.pachyderm.node;

/**
 * Where a node keeps its entities' applied states ({@link PachydermNode.Builder#stateStore}).
 * The replicated state is the same either way: nodes of one cluster may use different kinds.
 */
public enum StateStoreKind {
  /**
   * Every entity in the heap: the number of entities is bounded by the heap, and every snapshot
   * encodes them all. For tests and the simulation.
   */
  HEAP,
  /**
   * RocksDB under {@code <dataDir>/state}, behind a cache of hot entities of at most an eighth of
   * the heap ({@code stateCacheBytesMax}): the number of entities is bounded by the disk. The
   * default for nodes and the local ecosystem. See the {@code state-store} module for the crash story.
   */
  DISK
}
