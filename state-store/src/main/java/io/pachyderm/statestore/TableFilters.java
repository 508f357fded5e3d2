package io.pachyderm.statestore;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;

/**
 * The table format of the disk state store's files: a bloom filter (10 bits a key, ~1% false
 * positives) in every table file. Most point reads on the apply path miss: the de-duplication
 * look-up of every new request id, the old value an outbox write reads first for a new key. The
 * filter answers a miss without reading an index and a data block of every level's file. Files
 * written before it (no filter) are read as before: the format stays compatible both ways.
 */
final class TableFilters {
  /**
   * One filter policy for the process: RocksDB shares it between databases and never changes it,
   * so it is never closed (a few bytes of native memory, once).
   */
  private static final BloomFilter BLOOM = new BloomFilter(10);

  private TableFilters() {}

  /** A table format with the shared bloom filter; each store's options take a new one. */
  static BlockBasedTableConfig tableConfig() {
    return new BlockBasedTableConfig().setFilterPolicy(BLOOM);
  }
}
