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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The entities' applied states in RocksDB (issue 14), behind a {@link HotCache} of decoded hot
 * entities bounded in bytes: the number of entities a node holds is bounded by its disk, not its heap.
 *
 * <p>Writes are written back: {@link #commit} moves an entry's entity states into a dirty map in
 * the heap, and its rows of the replicated tables ({@link #tables()}: the de-duplication table, the
 * outbox) into their unwritten rows ({@link RocksTables}); readers and table scans see both there,
 * a later write of the same key replaces an earlier one, and all of it reaches RocksDB, with the
 * applied index and the entity count, in one {@link WriteBatch} in key order: at the commit that
 * takes the two past {@link #DIRTY_BYTES_MAX}, and before a checkpoint, a scan of the entities and
 * a close. Other commits write nothing to RocksDB. So the database, a checkpoint included, always
 * holds the state after a whole entry. Why skipping the writes in between is safe: the WAL is off
 * (the Raft log is the write-ahead log), so a crash loses what was not flushed anyway, and the node
 * never trusts the live database at start: it deletes it unread ({@link #openEmpty}) and rebuilds it
 * from the latest snapshot, and Ratis replays the log from that snapshot's index. No entry is ever
 * applied on top of a state that already holds it (see the package documentation). Why write back:
 * a RocksDB memtable insert at a random key costs ~2 us on the apply path, a working set of a
 * thousand entities updated ~60,000 times between two checkpoints is then written ~1,000 times
 * instead of ~60,000, and each command's two to four de-duplication rows go in as one sorted run.
 *
 * <p>Thread-safety: {@link #put}, {@link #commit}, {@link #clear} and {@link #close} on the apply
 * thread; {@link #get}, {@link #size} and {@link #keysInOrder} from any thread. A get sees the
 * entry being applied as the heap store would (its puts at once), then the dirty map, then the
 * cache (which takes a state when the write empties the dirty map), then RocksDB.
 * A read lock keeps RocksDB open under a reader; clear and close take the write lock. The
 * database itself (open, destroy, checkpoint, close) and that lock live in {@link RocksHandle}.
 */
public final class RocksStateStore implements StateStore, AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final byte[] META_APPLIED_INDEX = {'M', 'a'};
  private static final byte[] META_ENTITIES = {'M', 'n'};
  /**
   * The estimated heap bytes of written-back states (decoded and encoded) and unwritten table rows
   * past which a commit writes them all: bounds the heap they take whatever the cache's bound (a
   * node of ten million entities in {@code -Xmx512m} creating new ones writes every few ten thousand).
   */
  static final long DIRTY_BYTES_MAX = 8L << 20;

  private final Path dir;
  private final EntityTypes types;
  private final HotCache cache;
  /** The database and its life; the store's reads and writes hold its lock's read side. */
  private final RocksHandle rocks;
  private final ReentrantReadWriteLock lock;
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  /**
   * A close's write: fails at once rather than wait for RocksDB to make room (a full disk stops its
   * flushes, and a write waiting for one would never return, holding the node's shutdown).
   */
  private final WriteOptions closeWriteOptions = new WriteOptions().setDisableWAL(true).setNoSlowdown(true);
  private final WriteBatch batch = new WriteBatch();
  /** The puts of the entry being applied, with their encodings; readers see them at once. */
  private final Map<EntityKey, Pending> pending = new ConcurrentHashMap<>();
  /** Committed states not yet written to RocksDB (see the class documentation); readers see them. */
  private final Map<EntityKey, Pending> dirty = new ConcurrentHashMap<>();
  /** The estimated heap bytes of {@link #dirty}. Apply thread. */
  private long dirtyBytes;
  private final long dirtyBytesMax;
  /** The replicated tables (de-duplication, outbox) beside the entities, written back with them. */
  private final RocksTables tables = new RocksTables(this);
  private volatile long entities;
  private volatile long appliedIndex;

  /** A state with its stored bytes and its estimated heap bytes (cached, plus the stored copy while dirty). */
  private record Pending(Versioned value, byte[] stored, long bytes) {}

  private RocksStateStore(Path dir, EntityTypes types, CacheLimits cacheLimits, long dirtyBytesMax) {
    this.dir = dir;
    this.dirtyBytesMax = dirtyBytesMax;
    this.types = types;
    this.cache = new HotCache(cacheLimits);
    this.rocks = new RocksHandle(dir);
    this.lock = rocks.lock;
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
    return open(dir, types, cacheBytesMax, DIRTY_BYTES_MAX);
  }

  /** As above, with the written-back states' bound given (tests; 0 writes them at every commit). */
  static RocksStateStore open(Path dir, EntityTypes types, long cacheBytesMax, long dirtyBytesMax)
      throws IOException {
    RocksStateStore store = unopened(dir, types, CacheLimits.ofBytes(cacheBytesMax), dirtyBytesMax);
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
    return unopened(dir, types, cacheLimits, DIRTY_BYTES_MAX);
  }

  /** As above, with the written-back states' bound given: tests write them back sooner (0: every commit). */
  static RocksStateStore unopened(Path dir, EntityTypes types, CacheLimits cacheLimits, long dirtyBytesMax) {
    Objects.requireNonNull(dir, "state store directory");
    Objects.requireNonNull(types, "entity types");
    Objects.requireNonNull(cacheLimits, "cache limits");
    if (dirtyBytesMax < 0) {
      throw new IllegalArgumentException("dirtyBytesMax must be >= 0, got " + dirtyBytesMax);
    }
    return new RocksStateStore(dir, types, cacheLimits, dirtyBytesMax);
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
      if (rocks.usedBefore()) {
        throw new IllegalStateException("the disk state store in " + dir + " was opened before");
      }
      rocks.deleteLeftover();
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
    rocks.open(db -> {
      appliedIndex = readLong(db, META_APPLIED_INDEX);
      entities = readLong(db, META_ENTITIES);
    });
  }

  private static long readLong(RocksDB db, byte[] key) throws RocksDBException {
    byte[] v = db.get(key);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  // ---- reads (any thread) --------------------------------------------------------------------

  @Override
  public Versioned get(EntityKey key) {
    Pending p = pending.get(key);
    if (p == null) {
      p = dirty.get(key);
    }
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
      return rocks.db().get(EntityKeyBytes.encode(key));
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
    // Dirty keys first: one the apply thread writes and drops from the map meanwhile is then in
    // the database before the scan starts (the map is emptied only after the write).
    TreeSet<EntityKey> keys = new TreeSet<>(dirty.keySet());
    keys.addAll(pending.keySet());
    try {
      forEachKey(keys::add);
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return new ArrayList<>(keys);
  }

  /** Writes the written-back states first (so apply thread only, as the interface says). */
  @Override
  public void forEachInOrder(Visitor visitor) throws IOException {
    lock.readLock().lock();
    try (RocksIterator it = writeWholeThenIterate()) {
      for (it.seek(new byte[] {EntityKeyBytes.ENTITY_PREFIX}); it.isValid() && EntityKeyBytes.isEntity(it.key());
           it.next()) {
        EntityKey key = EntityKeyBytes.decode(it.key());
        visitor.visit(key, decode(key, it.value()));
      }
      rocks.status(it);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void forEachKey(java.util.function.Consumer<EntityKey> keys) throws IOException {
    lock.readLock().lock();
    try (RocksIterator it = rocks.iterator()) {
      for (it.seek(new byte[] {EntityKeyBytes.ENTITY_PREFIX}); it.isValid() && EntityKeyBytes.isEntity(it.key());
           it.next()) {
        keys.accept(EntityKeyBytes.decode(it.key()));
      }
      rocks.status(it);
    } finally {
      lock.readLock().unlock();
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
    pending.put(key, new Pending(value, stored, HotCache.sizeOf(key, stored.length)));
    if (previous == null) {
      entities++;
    }
    return previous;
  }

  /**
   * Moves the entry's states into the dirty map, and its table rows into the unwritten ones; writes
   * them all (with {@code appliedIndex} and the entity count) once they pass {@link
   * #DIRTY_BYTES_MAX}. A failed write is a broken durability path: the caller's fail-stop takes over.
   */
  @Override
  public void commit(long appliedIndex) {
    // Most commits write nothing to RocksDB: a closed store must still say so, not take the entry.
    rocks.requireOpen();
    for (Map.Entry<EntityKey, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      Pending before = dirty.put(e.getKey(), p);
      dirtyBytes += dirtyBytes(p) - (before == null ? 0 : dirtyBytes(before));
    }
    tables.commitPending();
    if (dirtyBytes() > dirtyBytesMax) {
      lock.readLock().lock();
      try {
        write(appliedIndex, writeOptions);
      } finally {
        lock.readLock().unlock();
      }
    }
    this.appliedIndex = appliedIndex;
    // Not into the cache yet: a dirty state is read from the dirty map, and the write puts each
    // into the cache once (a hot entity is updated at nearly every entry, and a cache update per
    // command was ~9% of the apply thread on the local load row).
    pending.clear();
  }

  private static long dirtyBytes(Pending p) {
    return p.bytes() + p.stored().length;
  }

  /**
   * Writes every dirty state and unwritten table row with {@code appliedIndex} and the entity count,
   * in key order (RocksDB's memtable inserts neighbouring keys faster), then empties the dirty map
   * and the unwritten rows: after the write, so a reader that misses them finds the database holding
   * what they held. Under the lock's read side, at an entry boundary.
   */
  private void write(long appliedIndex, WriteOptions options) {
    try {
      RocksDB db = rocks.db();
      // In key order (entities 'E', metadata 'M', tables 'T'): see RocksTables on why.
      List<byte[][]> states = new ArrayList<>(dirty.size());
      for (Map.Entry<EntityKey, Pending> e : dirty.entrySet()) {
        states.add(new byte[][] {EntityKeyBytes.encode(e.getKey()), e.getValue().stored()});
      }
      RocksTables.putInKeyOrder(batch, states);
      batch.put(META_APPLIED_INDEX, longBytes(appliedIndex));
      batch.put(META_ENTITIES, longBytes(entities));
      tables.addTo(batch);
      db.write(options, batch);
      batch.clear();
    } catch (RocksDBException e) {
      throw new IllegalStateException("the disk state store in " + dir + " failed to write entry " + appliedIndex
          + ": " + e.getMessage(), e);
    }
    // Into the cache before the dirty map empties: a reader finds each state in one or the other.
    for (Map.Entry<EntityKey, Pending> e : dirty.entrySet()) {
      cache.update(e.getKey(), e.getValue().value(), e.getValue().bytes());
    }
    dirty.clear();
    dirtyBytes = 0;
    tables.written();
  }

  /**
   * Writes what is written back: before a checkpoint and an iteration over the entities. Apply
   * thread, under the lock's read side, at an entry boundary.
   */
  private void writeWhole() {
    write(appliedIndex, writeOptions);
  }

  private RocksIterator writeWholeThenIterate() {
    writeWhole();
    return rocks.iterator();
  }

  /** Estimated heap bytes of the committed states and table rows not yet written to RocksDB. */
  public long dirtyBytes() {
    return dirtyBytes + tables.unwrittenBytes();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  @Override
  public StoreTables tables() {
    return tables;
  }

  /** A table key's value in the database, or null (any thread). */
  byte[] readRaw(byte[] key) {
    return rocks.readRaw(key);
  }

  /**
   * Visits the keys starting with {@code prefix} from {@code fromKey} on, in key order, until the
   * visitor says stop: the database's, merged with {@code rows} (in key order from {@code
   * fromKey}; a null value deletes its key), which win. Any thread.
   */
  void forEachRaw(byte[] prefix, byte[] fromKey, Iterator<Map.Entry<byte[], byte[]>> rows,
                  StoreTables.Visitor visitor) {
    rocks.forEachRaw(prefix, fromKey, rows, visitor);
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
      rocks.requireOpen();
      if (!pending.isEmpty() || tables.pendingWrites() > 0) {
        throw new IllegalStateException("the disk state store in " + dir + " has writes of an entry not committed:"
            + " a checkpoint is taken at an entry boundary only");
      }
      writeWhole();
      rocks.checkpoint(target);
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
      rocks.requireOpen();
      destroyDb();
      StoreFiles.linkOrCopyTree(checkpointDir, dir);
      openDb();
    } catch (RocksDBException | IOException e) {
      rocks.markClosed();
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
      RocksIterator it = writeWholeThenIterate();
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
        rocks.requireOpen();
        if (!it.isValid() || !EntityKeyBytes.isEntity(it.key())) {
          rocks.status(it);
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
      rocks.requireOpen();
      destroyDb();
      openDb();
      entities = 0;
      appliedIndex = 0;
    } catch (RocksDBException | IOException e) {
      rocks.markClosed();
      throw new IllegalStateException("the disk state store in " + dir + " could not be emptied: " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Drops what is not yet written and what is cached, closes the database and deletes its files
   * (the caller then opens an empty or a replaced one). Under the write lock.
   */
  private void destroyDb() throws RocksDBException {
    batch.clear();
    pending.clear();
    dirty.clear();
    dirtyBytes = 0;
    tables.dropUnwritten();
    cache.clear();
    rocks.destroy();
  }

  /**
   * Writes the written-back states (a tool that opens the store later reads whole entries; a node
   * deletes it unread anyway), then closes. That write never waits (a full disk would make it wait
   * for good), and a failed one is not reported: the live store is never trusted at a node's
   * start, so nothing depends on it.
   */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (rocks.isOpen() && pending.isEmpty() && tables.pendingWrites() == 0) {
        try {
          write(appliedIndex, closeWriteOptions);
        } catch (IllegalStateException e) {
          // see above: a store that cannot write its states is deleted at the next start
        }
      }
      if (!rocks.close()) {
        return;
      }
      batch.close();
      writeOptions.close();
      closeWriteOptions.close();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
