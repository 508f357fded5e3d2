package io.pachyderm.statestore;

import io.pachyderm.replica.StoreTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The RocksDB database of one {@link RocksStateStore} and its life (split out of the store): open
 * with the store's options, delete a previous run's files, destroy and reopen, write a checkpoint,
 * close; and the raw reads every part of the store shares (one key, keys by prefix in order).
 *
 * <p>Owns the lock that keeps the database open under a reader: whoever reads or writes takes its
 * read lock, whatever closes or replaces the database (the store's clear, replace and close) takes
 * its write lock. The methods here do not take it themselves but for the raw reads; the caller
 * holds it.
 */
final class RocksHandle {
  /** What the store reads from a database it has just opened (its metadata keys). */
  interface OnOpen {
    void opened(RocksDB db) throws RocksDBException;
  }

  private final Path dir;
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private Options options;
  private RocksDB db;
  private boolean closed;

  RocksHandle(Path dir) {
    this.dir = dir;
  }

  /** Whether the database is open now. */
  boolean isOpen() {
    return db != null && !closed;
  }

  /** Whether the database was opened or closed before: a store opens it empty once. */
  boolean usedBefore() {
    return db != null || closed;
  }

  /** Deletes whatever a previous run left in the directory, unread (see {@link RocksStateStore#openEmpty}). */
  void deleteLeftover() throws IOException {
    if (Files.isDirectory(dir)) {
      try (Options destroy = new Options()) {
        RocksDB.destroyDB(dir.toString(), destroy);
      } catch (RocksDBException e) {
        throw new IOException("cannot delete the previous disk state store in " + dir + ": " + e.getMessage()
            + "; delete " + dir + " (the node rebuilds it from its snapshot and Raft log) and restart", e);
      }
    }
  }

  void open(OnOpen onOpen) throws IOException {
    Files.createDirectories(dir);
    options = new Options().setCreateIfMissing(true)
        // No WAL, so a memtable holds only what the next flush writes; 32 MB keeps flushes short.
        .setWriteBufferSize(32L << 20)
        // A bloom filter over the memtable's whole keys too (~3 MB at this ratio): most point reads
        // on the apply path miss (see TableFilters), and without it each miss walks the memtable's
        // skip list, which costs about what an insert does.
        .setMemtablePrefixBloomSizeRatio(0.1)
        .setMemtableWholeKeyFiltering(true)
        .setTableFormatConfig(TableFilters.tableConfig());
    try {
      db = RocksDB.open(options, dir.toString());
      onOpen.opened(db);
    } catch (RocksDBException e) {
      options.close();
      throw new IOException("cannot open the disk state store in " + dir + ": " + e.getMessage()
          + "; the node rebuilds it from its snapshot and Raft log: move " + dir + " aside and restart", e);
    }
  }

  /** Closes the database and deletes its files. Under the write lock. */
  void destroy() throws RocksDBException {
    db.close();
    RocksDB.destroyDB(dir.toString(), options);
    options.close();
  }

  /** Marks the database unusable: a clear or replace that failed half-way left it closed or gone. */
  void markClosed() {
    closed = true;
  }

  /** The open database; throws when it is closed or not open yet. */
  RocksDB db() {
    requireOpen();
    return db;
  }

  RocksIterator iterator() {
    requireOpen();
    return db.newIterator();
  }

  void status(RocksIterator it) throws IOException {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new IOException("the disk state store in " + dir + " failed while iterating: " + e.getMessage(), e);
    }
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the disk state store in " + dir + " is closed");
    }
    if (db == null) {
      throw new IllegalStateException("the disk state store in " + dir + " is not open yet (a node opens it at start)");
    }
  }

  /** A key's committed value, or null (any thread). */
  byte[] readRaw(byte[] key) {
    lock.readLock().lock();
    try {
      requireOpen();
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store in " + dir + " failed to read a table key: "
          + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Visits the keys starting with {@code prefix} from {@code fromKey} on, in key order, until the
   * visitor says stop: the database's merged with {@code rows} (in unsigned key order, none before
   * {@code fromKey}; a null value deletes its key), whose value wins where both hold a key.
   */
  void forEachRaw(byte[] prefix, byte[] fromKey, Iterator<Map.Entry<byte[], byte[]>> rows,
                  StoreTables.Visitor visitor) {
    lock.readLock().lock();
    try (RocksIterator it = iterator()) {
      it.seek(fromKey);
      Map.Entry<byte[], byte[]> row = nextIn(rows, prefix);
      while (true) {
        byte[] dbKey = it.isValid() && startsWith(it.key(), prefix) ? it.key() : null;
        if (dbKey == null && row == null) {
          break;
        }
        int order = dbKey == null ? 1 : row == null ? -1 : Arrays.compareUnsigned(dbKey, row.getKey());
        byte[] key;
        byte[] value;
        if (order < 0) {
          key = dbKey;
          value = it.value();
          it.next();
        } else {
          key = row.getKey();
          value = row.getValue();
          if (order == 0) {
            it.next();
          }
          row = nextIn(rows, prefix);
        }
        if (value != null && !visitor.visit(key, value)) {
          return;
        }
      }
      status(it);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The next of {@code rows} if it starts with {@code prefix}; null once past it (they are in key order). */
  private static Map.Entry<byte[], byte[]> nextIn(Iterator<Map.Entry<byte[], byte[]>> rows, byte[] prefix) {
    if (!rows.hasNext()) {
      return null;
    }
    Map.Entry<byte[], byte[]> row = rows.next();
    return startsWith(row.getKey(), prefix) ? row : null;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Flushes the memtable and writes a checkpoint into {@code target}, fsynced (see {@link
   * RocksStateStore#checkpoint}). Under the read lock, at an entry boundary.
   */
  void checkpoint(Path target) throws IOException {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true); Checkpoint checkpoint = Checkpoint.create(db())) {
      db.flush(flush);
      checkpoint.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException("the disk state store in " + dir + " could not write checkpoint " + target + ": "
          + e.getMessage(), e);
    }
    StoreFiles.fsyncTree(target);
  }

  /**
   * Writes the memtables to table files, so that a store closed cleanly holds its last entry on
   * disk (nothing depends on it today: a node deletes its store unread at start). A failure here
   * loses nothing the node needs, so it is not an error.
   */
  private void flushQuietly() {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    } catch (RocksDBException e) {
      // The Raft log and the snapshot hold everything; see above.
    }
  }

  /** Flushes and closes the database; false when it was closed before. Under the write lock. */
  boolean close() {
    if (closed) {
      return false;
    }
    closed = true;
    if (db != null) {
      flushQuietly();
      db.close();
      options.close();
    }
    return true;
  }
}
