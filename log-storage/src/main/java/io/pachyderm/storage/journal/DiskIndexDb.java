package io.pachyderm.storage.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB database of {@link DiskRefIndex} and the one batch it builds: opening (a damaged
 * database is deleted and created empty), point reads, the batch's rows, writing the batch with
 * the WAL off, flushing, closing. What the rows mean is {@link DiskRefIndex}'s and {@link
 * DiskIndexRows}'. Every RocksDB failure becomes a {@link JournalWriteException} naming the
 * directory and what was being done.
 *
 * <p>Not thread-safe: its {@link DiskRefIndex} is called under {@link JournalIndex}'s lock, close
 * included, so no call ever reaches a closed database (a JNI use-after-close would crash the JVM).
 */
final class DiskIndexDb implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class); // see JournalQueue

  private final Path dir;
  private final Options options;
  private final BloomFilter bloom;
  private final LRUCache blockCache;
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private final WriteBatch batch = new WriteBatch();
  private final RocksDB db;
  private long rowsFlushedLast;
  /** Batches written since open, for tests and figures (one per committed change of the index). */
  private long batchesWritten;
  private boolean closed;

  private DiskIndexDb(Path dir) throws RocksDBException {
    this.dir = dir;
    this.bloom = new BloomFilter(10);
    // Native memory, not heap: 8 MiB of blocks keeps the upper levels' index and recent rows hot.
    this.blockCache = new LRUCache(8L << 20);
    this.options = new Options().setCreateIfMissing(true)
        // No WAL: a memtable holds the rows since the last flush; 16 MiB keeps flushes short.
        .setWriteBufferSize(16L << 20)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(bloom).setBlockCache(blockCache));
    try {
      this.db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      releaseOptions();
      throw e;
    }
  }

  /**
   * Opens the database in {@code dir}, creating it if missing. A database RocksDB cannot open
   * (damaged files) is deleted, logged as a WARN naming it, and created empty: the journal's open
   * then rebuilds the index by a full scan.
   *
   * @throws IOException naming {@code dir} when even an empty database cannot be created there
   */
  static DiskIndexDb open(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      return new DiskIndexDb(dir);
    } catch (RocksDBException damaged) {
      LOG.warn("journal ref index {} cannot be opened ({}); deleting it and rebuilding it by a full scan of the journal",
          dir, damaged.getMessage());
      try (Options destroy = new Options()) {
        RocksDB.destroyDB(dir.toString(), destroy);
        return new DiskIndexDb(dir);
      } catch (RocksDBException e) {
        throw new IOException("journal ref index " + dir + " cannot be created: " + e.getMessage()
            + "; delete the directory (the journal rebuilds it) and reopen", e);
      }
    }
  }

  Path directory() {
    return dir;
  }

  /** Rows in the memtables that the last {@link #flush()} wrote (RocksDB's count), for tests and figures. */
  long rowsFlushedLast() {
    return rowsFlushedLast;
  }

  long batchesWritten() {
    return batchesWritten;
  }

  /** The row's value in the database (not in the batch being built), or null. */
  byte[] get(byte[] key) {
    checkOpen();
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw failure("reading", e);
    }
  }

  /** An iterator over the database (not the batch being built); the caller closes it. */
  RocksIterator newIterator() {
    checkOpen();
    return db.newIterator();
  }

  void put(byte[] key, byte[] value) {
    try {
      batch.put(key, value);
    } catch (RocksDBException e) {
      throw failure("batching", e);
    }
  }

  void delete(byte[] key) {
    try {
      batch.delete(key);
    } catch (RocksDBException e) {
      throw failure("batching", e);
    }
  }

  void deleteRange(byte[] from, byte[] to) {
    try {
      batch.deleteRange(from, to);
    } catch (RocksDBException e) {
      throw failure("batching", e);
    }
  }

  /** Drops the rows of the batch being built. */
  void clearBatch() {
    batch.clear();
  }

  /** Writes the batch being built, whole (RocksDB applies a batch atomically), and starts an empty one. */
  void write() {
    checkOpen();
    try {
      db.write(writeOptions, batch);
      batchesWritten++;
    } catch (RocksDBException e) {
      throw failure("writing", e);
    } finally {
      batch.clear();
    }
  }

  /** Writes the memtables to disk and waits: afterwards a crash loses nothing written. */
  void flush() {
    checkOpen();
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
      rowsFlushedLast = db.getLongProperty("rocksdb.num-entries-active-mem-table")
          + db.getLongProperty("rocksdb.num-entries-imm-mem-tables");
      db.flush(wait);
    } catch (RocksDBException e) {
      throw failure("flushing", e);
    }
  }

  /** Flushes (so the next open scans nothing) and closes; a failed flush costs only open time. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
      db.flush(wait);
    } catch (RocksDBException e) {
      LOG.warn("journal ref index {}: flush at close failed ({}); the next open re-indexes more", dir, e.getMessage());
    }
    closed = true;
    db.close();
    batch.close();
    writeOptions.close();
    releaseOptions();
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("journal ref index " + dir + " is closed");
    }
  }

  /**
   * A failed index write or read. The journal's records are in the queue, so the caller stops (the
   * node halts) and the next open re-indexes from the last change the database holds.
   */
  private JournalWriteException failure(String doing, RocksDBException e) {
    return new JournalWriteException("journal ref index " + dir + ": " + doing + " failed (" + e.getMessage()
        + "); stop the node and restart it: open re-indexes the records after the index's last write", e);
  }

  private void releaseOptions() {
    options.close();
    bloom.close();
    blockCache.close();
  }
}
