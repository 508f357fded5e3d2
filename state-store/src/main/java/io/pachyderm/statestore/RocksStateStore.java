package io.pachyderm.statestore;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.replica.StateStore;
import io.pachyderm.replica.StoreTables;
import io.pachyderm.replica.Versioned;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The entities' applied states in RocksDB (issue 14), behind a {@link HotCache} of decoded hot
 * entities bounded in bytes: the number of entities a node holds is bounded by its disk, not its heap.
 *
 * <p>Writes: every {@link #put} of one log entry goes into one {@link WriteBatch}, written at
 * {@link #commit} together with the applied index, the entity count and the entry's writes to the
 * replicated tables ({@link #tables()}: the de-duplication table), so the store always holds the
 * state after a whole entry. The WAL is off: the Raft log is the write-ahead log. A crash loses
 * what was not flushed yet, and the live database may hold a state newer than the last snapshot;
 * the node therefore never trusts the live database at start: it deletes it unread ({@link
 * #openEmpty}) and rebuilds it from the latest snapshot, and Ratis replays the log from that
 * snapshot's index. No entry is ever applied on top of a state that already holds it (see the
 * package documentation).
 *
 * <p>Thread-safety: {@link #put}, {@link #commit}, {@link #clear} and {@link #close} on the apply
 * thread; {@link #get}, {@link #size} and {@link #keysInOrder} from any thread. A get sees the
 * entry being applied as the heap store would (its puts at once), then the cache, then RocksDB.
 * A read lock keeps RocksDB open under a reader; clear and close take the write lock.
 */
public final class RocksStateStore implements StateStore, AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final byte[] META_APPLIED_INDEX = {'M', 'a'};
  private static final byte[] META_ENTITIES = {'M', 'n'};

  private final Path dir;
  private final EntityTypes types;
  private final HotCache cache;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private final WriteBatch batch = new WriteBatch();
  /** The puts of the entry being applied, with their encoded sizes; readers see them at once. */
  private final Map<EntityKey, Pending> pending = new ConcurrentHashMap<>();
  /** The replicated tables (de-duplication) beside the entities, in the same batch. */
  private final RocksTables tables = new RocksTables(this);
  private Options options;
  private RocksDB db;
  private volatile long entities;
  private volatile long appliedIndex;
  private boolean closed;

  private record Pending(Versioned value, long bytes) {}

  private RocksStateStore(Path dir, EntityTypes types, CacheLimits cacheLimits) {
    this.dir = dir;
    this.types = types;
    this.cache = new HotCache(cacheLimits);
  }

  /**
   * Opens (creating if missing) the store in {@code dir} with what it holds: for tools and tests
   * that read a store a node left; a node opens its store with {@link #openEmpty}.
   *
   * @param cacheBytesMax the hot-entity cache's bound ({@code stateCacheBytesMax}), in estimated
   *     heap bytes; 0 caches nothing
   * @throws IOException naming the directory (and RocksDB's reason, e.g. a damaged file) when RocksDB cannot open it
   */
  public static RocksStateStore open(Path dir, EntityTypes types, long cacheBytesMax) throws IOException {
    RocksStateStore store = unopened(dir, types, cacheBytesMax);
    store.openDb();
    return store;
  }

  /**
   * A store for {@code dir} that {@link #openEmpty} opens later: a node creates its store when it is
   * built and opens it when it starts, once Ratis holds the data directory's lock (a second node
   * on the same directory must fail on that lock, before it touches the first one's store).
   */
  public static RocksStateStore unopened(Path dir, EntityTypes types, long cacheBytesMax) {
    return unopened(dir, types, CacheLimits.ofBytes(cacheBytesMax));
  }

  /** As {@link #unopened(Path, EntityTypes, long)}, with the cache's size and idle time both given. */
  public static RocksStateStore unopened(Path dir, EntityTypes types, CacheLimits cacheLimits) {
    Objects.requireNonNull(dir, "state store directory");
    Objects.requireNonNull(types, "entity types");
    Objects.requireNonNull(cacheLimits, "cache limits");
    return new RocksStateStore(dir, types, cacheLimits);
  }

  /**
   * Opens this store empty, deleting whatever a previous run left in its directory unread: what a
   * node does at start, because the live database is never trusted (its WAL is off; see the class
   * documentation). Files damaged by a crash or a bad disk are deleted, never opened.
   *
   * @throws IOException naming the directory when its old contents cannot be deleted or RocksDB cannot open it
   */
  public void openEmpty() throws IOException {
    lock.writeLock().lock();
    try {
      if (db != null || closed) {
        throw new IllegalStateException("the disk state store in " + dir + " was opened before");
      }
      if (Files.isDirectory(dir)) {
        try (Options destroy = new Options()) {
          RocksDB.destroyDB(dir.toString(), destroy);
        } catch (RocksDBException e) {
          throw new IOException("cannot delete the previous disk state store in " + dir + ": " + e.getMessage()
              + "; delete " + dir + " (the node rebuilds it from its snapshot and Raft log) and restart", e);
        }
      }
      openDb();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The default cache bound: an eighth of the heap the JVM may use. */
  public static long defaultCacheBytesMax() {
    return CacheLimits.defaultBytesMax();
  }

  private void openDb() throws IOException {
    Files.createDirectories(dir);
    options = new Options().setCreateIfMissing(true)
        // No WAL, so a memtable holds only what the next flush writes; 32 MB keeps flushes short.
        .setWriteBufferSize(32L << 20)
        .setTableFormatConfig(TableFilters.tableConfig());
    try {
      db = RocksDB.open(options, dir.toString());
      appliedIndex = readLong(META_APPLIED_INDEX);
      entities = readLong(META_ENTITIES);
    } catch (RocksDBException e) {
      options.close();
      throw new IOException("cannot open the disk state store in " + dir + ": " + e.getMessage()
          + "; the node rebuilds it from its snapshot and Raft log: move " + dir + " aside and restart", e);
    }
  }

  private long readLong(byte[] key) throws RocksDBException {
    byte[] v = db.get(key);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  // ---- reads (any thread) --------------------------------------------------------------------

  @Override
  public Versioned get(EntityKey key) {
    Pending p = pending.get(key);
    if (p != null) {
      return p.value();
    }
    Versioned cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    long generation = cache.generation();
    byte[] value = read(key);
    if (value == null) {
      return null;
    }
    Versioned v = decode(key, value);
    cache.insertIfUnchanged(generation, key, v, HotCache.sizeOf(key, value.length));
    return v;
  }

  private byte[] read(EntityKey key) {
    lock.readLock().lock();
    try {
      requireOpen();
      return db.get(EntityKeyBytes.encode(key));
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store in " + dir + " failed to read " + key + ": "
          + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  private Versioned decode(EntityKey key, byte[] value) {
    StoredState.Fields f = StoredState.decode(value, key);
    return new Versioned(typeOf(key).codec().decode(f.state()), f.version(), f.digest());
  }

  private EntityType<?, ?, ?> typeOf(EntityKey key) {
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      throw new IllegalStateException("the disk state store in " + dir + " holds " + key + " of entity type '"
          + key.type() + "' which this node does not have; registered: " + types.names());
    }
    return type;
  }

  @Override
  public int size() {
    return (int) Math.min(Integer.MAX_VALUE, entities);
  }

  @Override
  public List<EntityKey> keysInOrder() {
    List<EntityKey> keys = new ArrayList<>();
    try {
      forEachKey(keys::add);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    for (EntityKey key : pending.keySet()) {
      if (!keys.contains(key)) {
        keys.add(key);
      }
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void forEachInOrder(Visitor visitor) throws IOException {
    lock.readLock().lock();
    try (RocksIterator it = iterator()) {
      for (it.seek(new byte[] {EntityKeyBytes.ENTITY_PREFIX}); it.isValid() && EntityKeyBytes.isEntity(it.key());
           it.next()) {
        EntityKey key = EntityKeyBytes.decode(it.key());
        visitor.visit(key, decode(key, it.value()));
      }
      status(it);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void forEachKey(java.util.function.Consumer<EntityKey> keys) throws IOException {
    lock.readLock().lock();
    try (RocksIterator it = iterator()) {
      for (it.seek(new byte[] {EntityKeyBytes.ENTITY_PREFIX}); it.isValid() && EntityKeyBytes.isEntity(it.key());
           it.next()) {
        keys.accept(EntityKeyBytes.decode(it.key()));
      }
      status(it);
    } finally {
      lock.readLock().unlock();
    }
  }

  private RocksIterator iterator() {
    requireOpen();
    return db.newIterator();
  }

  private void status(RocksIterator it) throws IOException {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new IOException("the disk state store in " + dir + " failed while iterating: " + e.getMessage(), e);
    }
  }

  /** The index the last {@link #commit} wrote (0 before any, and while a snapshot loads). */
  public long appliedIndex() {
    return appliedIndex;
  }

  /** Entities whose decoded state the hot cache holds now. */
  public int cachedEntities() {
    return cache.entries();
  }

  /** The hot cache's estimated heap bytes now; never above {@link #cacheBytesMax()}. */
  public long cachedBytes() {
    return cache.bytes();
  }

  public long cacheBytesMax() {
    return cache.bytesMax();
  }

  public long cachePassivateAfterMs() {
    return cache.passivateAfterMs();
  }

  /**
   * Drops from the cache every entity nobody read or wrote for the cache's idle time (any thread):
   * every read and write does this too, so a node calls it only to empty the cache of a quiet node.
   *
   * @return how many entities left the heap
   */
  public int passivateIdle() {
    return cache.passivateIdle();
  }

  /** Entities the cache has dropped for being idle since this store was created. */
  public long passivatedEntities() {
    return cache.passivated();
  }

  public Path directory() {
    return dir;
  }

  // ---- writes (apply thread) -------------------------------------------------------------------

  @Override
  public Versioned put(EntityKey key, Versioned value) {
    return put(key, value, null);
  }

  /** Writes {@code encoded} when given (the replica encoded the state for its digest), else encodes the state. */
  @Override
  public Versioned put(EntityKey key, Versioned value, Encoded encoded) {
    Versioned previous = get(key);
    if (encoded == null) {
      encoded = typeOf(key).codec().encode(value.state());
    }
    byte[] stored = StoredState.encode(value.version(), value.digest(), encoded);
    try {
      batch.put(EntityKeyBytes.encode(key), stored);
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store could not batch " + key + ": " + e.getMessage(), e);
    }
    pending.put(key, new Pending(value, HotCache.sizeOf(key, stored.length)));
    if (previous == null) {
      entities++;
    }
    return previous;
  }

  /**
   * Writes the entry's batch with {@code appliedIndex} and the entity count, then moves its states
   * into the cache. A failed write is a broken durability path: the caller's fail-stop takes over.
   */
  @Override
  public void commit(long appliedIndex) {
    lock.readLock().lock();
    try {
      requireOpen();
      batch.put(META_APPLIED_INDEX, longBytes(appliedIndex));
      batch.put(META_ENTITIES, longBytes(entities));
      db.write(writeOptions, batch);
      batch.clear();
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store in " + dir + " failed to write entry " + appliedIndex
          + ": " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
    this.appliedIndex = appliedIndex;
    tables.committed();
    for (Map.Entry<EntityKey, Pending> e : pending.entrySet()) {
      cache.update(e.getKey(), e.getValue().value(), e.getValue().bytes());
    }
    pending.clear();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  @Override
  public StoreTables tables() {
    return tables;
  }

  /** A table key's committed value, or null (any thread). */
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

  void batchPut(byte[] key, byte[] value) {
    try {
      batch.put(key, value);
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store could not batch a table write: " + e.getMessage(), e);
    }
  }

  void batchDelete(byte[] key) {
    try {
      batch.delete(key);
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store could not batch a table delete: " + e.getMessage(), e);
    }
  }

  /** Visits the committed keys starting with {@code prefix}, in key order, until the visitor says stop. */
  void forEachRaw(byte[] prefix, byte[] fromKey, StoreTables.Visitor visitor) {
    lock.readLock().lock();
    try (RocksIterator it = iterator()) {
      for (it.seek(fromKey); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        if (!visitor.visit(it.key(), it.value())) {
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

  // ---- checkpoints (apply thread) ---------------------------------------------------------------

  /**
   * Writes a RocksDB checkpoint of the store as it is after the last {@link #commit} into {@code
   * target} (which must not exist): table files are hard links, so this takes a time that does not
   * grow with the entities held. The memtable is flushed first (the WAL is off, so a checkpoint
   * would otherwise hold only what the last flush wrote), and the few copied files are fsynced, so
   * the checkpoint is whole on disk once this returns.
   *
   * @return the applied index the checkpoint holds
   * @throws IOException naming {@code target} when RocksDB cannot write it
   */
  public long checkpoint(Path target) throws IOException {
    lock.readLock().lock();
    try {
      requireOpen();
      if (!pending.isEmpty() || tables.pendingWrites() > 0) {
        throw new IllegalStateException("the disk state store in " + dir + " has writes of an entry not committed:"
            + " a checkpoint is taken at an entry boundary only");
      }
      try (FlushOptions flush = new FlushOptions().setWaitForFlush(true); Checkpoint checkpoint = Checkpoint.create(db)) {
        db.flush(flush);
        checkpoint.createCheckpoint(target.toString());
      } catch (RocksDBException e) {
        throw new IOException("the disk state store in " + dir + " could not write checkpoint " + target + ": "
            + e.getMessage(), e);
      }
      StoreFiles.fsyncTree(target);
      return appliedIndex;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Replaces everything this store holds with the checkpoint in {@code checkpointDir}, then opens it:
   * table files are hard-linked (never written again by RocksDB, so the checkpoint stays as it was),
   * every other file is copied (RocksDB appends to its MANIFEST). The cache is emptied. Files named
   * {@code *.md5} (Ratis' checksums beside installed files) are left out.
   *
   * @throws IOException naming the directories when the copy or the open fails; the store is then closed
   */
  public void replaceWith(Path checkpointDir) throws IOException {
    lock.writeLock().lock();
    try {
      requireOpen();
      destroyDb();
      StoreFiles.linkOrCopyTree(checkpointDir, dir);
      openDb();
    } catch (RocksDBException | IOException e) {
      closed = true;
      throw new IOException("the disk state store in " + dir + " could not be replaced by checkpoint "
          + checkpointDir + ": " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The entities held, in key order, one at a time: what a HEAP node reads out of a checkpoint it
   * loads. Apply thread (or a store no node uses); close the cursor.
   */
  public EntityCursor cursor() {
    lock.readLock().lock();
    try {
      RocksIterator it = iterator();
      it.seek(new byte[] {EntityKeyBytes.ENTITY_PREFIX});
      return new EntityCursor(it);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** One entity of a {@link #cursor}. */
  public record Entity(EntityKey key, Versioned value) {}

  /** Reads entities in key order; not thread-safe. */
  public final class EntityCursor implements AutoCloseable {
    private final RocksIterator it;

    private EntityCursor(RocksIterator it) {
      this.it = it;
    }

    /** The next entity, or null after the last. */
    public Entity next() throws IOException {
      lock.readLock().lock();
      try {
        requireOpen();
        if (!it.isValid() || !EntityKeyBytes.isEntity(it.key())) {
          status(it);
          return null;
        }
        EntityKey key = EntityKeyBytes.decode(it.key());
        Entity entity = new Entity(key, decode(key, it.value()));
        it.next();
        return entity;
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public void close() {
      it.close();
    }
  }

  /** Destroys the database and opens an empty one: faster than deleting every key, and frees the disk at once. */
  @Override
  public void clear() {
    lock.writeLock().lock();
    try {
      requireOpen();
      destroyDb();
      openDb();
      entities = 0;
      appliedIndex = 0;
    } catch (RocksDBException | IOException e) {
      closed = true;
      throw new IllegalStateException("the disk state store in " + dir + " could not be emptied: " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void closeDb() {
    db.close();
  }

  /**
   * Drops what is not yet written and what is cached, closes the database and deletes its files
   * (the caller then opens an empty or a replaced one). Under the write lock.
   */
  private void destroyDb() throws RocksDBException {
    batch.clear();
    pending.clear();
    tables.committed();
    cache.clear();
    closeDb();
    RocksDB.destroyDB(dir.toString(), options);
    options.close();
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

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the disk state store in " + dir + " is closed");
    }
    if (db == null) {
      throw new IllegalStateException("the disk state store in " + dir + " is not open yet (a node opens it at start)");
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (db != null) {
        flushQuietly();
        db.close();
        options.close();
      }
      batch.close();
      writeOptions.close();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
