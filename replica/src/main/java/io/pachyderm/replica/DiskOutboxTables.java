package io.pachyderm.replica;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.pachyderm.protocol.OutboxCounter;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;

/**
 * The outbox's items in a disk store's {@link StoreTables} (a DISK node's), committed with each
 * applied entry, so they are atomic with the entities and the applied index and part
 * of every checkpoint. Readers page through them in key order, {@link #PAGE_ITEMS} at a time.
 *
 * <p>On disk, one table per kind, each key the table's three bytes then the item's key in an encoding
 * whose bytewise order is the heap maps' order ({@link OrderedKeyBytes}): {@code Toc} entity to its
 * {@link OutboxCounter}; {@code Tom}, {@code Toe}, {@code Tod} entity and sequence number to the
 * pending message, effect or dead letter; {@code Tot} owner and name to the pending timer; {@code Top}
 * sender, receiver and sequence number to nothing (the pair order rule: the first key under a pair's
 * prefix is its oldest pending message); {@code Tox} the counts below; {@code Tou} and {@code Tov} the
 * timers in due order ({@link DiskTimerDueIndex}).
 *
 * <p>The heap holds only counts, and the pair keys written since the last commit (a table's scan sees
 * only committed keys; bounded by one entry's messages, or by the restore's commit interval).
 *
 * <p>Thread-safety: written by the apply thread only; single-item reads from any thread see the entry
 * being applied at once (the store's overlay), iterations see what is committed.
 */
final class DiskOutboxTables implements OutboxTables {
  /** Items a reader loads from the store at a time. */
  static final int PAGE_ITEMS = 1_000;
  private static final byte[] COUNTERS = {StoreTables.PREFIX, 'o', 'c'};
  private static final byte[] MESSAGES = {StoreTables.PREFIX, 'o', 'm'};
  private static final byte[] EFFECTS = {StoreTables.PREFIX, 'o', 'e'};
  private static final byte[] DEAD_LETTERS = {StoreTables.PREFIX, 'o', 'd'};
  private static final byte[] TIMERS = {StoreTables.PREFIX, 'o', 't'};
  private static final byte[] PAIRS = {StoreTables.PREFIX, 'o', 'p'};
  private static final byte[] META = {StoreTables.PREFIX, 'o', 'x'};
  private static final int META_LONGS = 8;
  private static final byte[] NOTHING = new byte[0];

  private final StoreTables tables;
  private final boolean digested;
  private volatile int counters;
  private volatile int messages;
  private volatile int effects;
  private volatile int deadLetters;
  private volatile int timers;
  /** The outbox's digest and item count as last loaded ({@link #load}); the {@link Outbox} keeps them after. */
  private long loadedDigest;
  private int loadedPendingItems;
  /** Pair keys written since the last commit: true added, false deleted. Apply thread. */
  private final TreeMap<byte[], Boolean> pairWrites = new TreeMap<>(Arrays::compareUnsigned);
  private boolean dirty;
  private final DiskTimerDueIndex timersByDue;

  DiskOutboxTables(StoreTables tables, boolean digested) {
    this.tables = tables;
    this.digested = digested;
    // Not whole until cleared or loaded: a node makes its replica before it opens its store, so
    // nothing is read here (a store never marked gets its index built, idempotently, at its load).
    this.timersByDue = new DiskTimerDueIndex(tables, DiskOutboxTables::key);
  }

  @Override
  public Long lastSeq(EntityKey source) {
    byte[] v = tables.get(key(COUNTERS, source));
    return v == null ? null : parse(v, OutboxCounter.parser(), "counter of " + source).getLastSeq();
  }

  @Override
  public void setLastSeq(EntityKey source, long last) {
    byte[] key = key(COUNTERS, source);
    if (tables.get(key) == null) {
      counters++;
    }
    tables.put(key, OutboxCounter.newBuilder().setRef(Protos.ref(source)).setLastSeq(last).build().toByteArray());
    dirty = true;
  }

  @Override
  public PendingMessage message(Outbox.Id id) {
    return get(key(MESSAGES, id), PendingMessage.parser(), "message " + id);
  }

  @Override
  public PendingMessage putMessage(Outbox.Id id, PendingMessage m) {
    PendingMessage before = message(id);
    tables.put(key(MESSAGES, id), m.toByteArray());
    messages += before == null ? 1 : 0;
    dirty = true;
    return before;
  }

  @Override
  public PendingMessage removeMessage(Outbox.Id id) {
    PendingMessage removed = message(id);
    if (removed != null) {
      tables.delete(key(MESSAGES, id));
      messages--;
      dirty = true;
    }
    return removed;
  }

  @Override
  public PendingEffect effect(Outbox.Id id) {
    return get(key(EFFECTS, id), PendingEffect.parser(), "effect " + id);
  }

  @Override
  public PendingEffect putEffect(Outbox.Id id, PendingEffect e) {
    PendingEffect before = effect(id);
    tables.put(key(EFFECTS, id), e.toByteArray());
    effects += before == null ? 1 : 0;
    dirty = true;
    return before;
  }

  @Override
  public PendingEffect removeEffect(Outbox.Id id) {
    PendingEffect removed = effect(id);
    if (removed != null) {
      tables.delete(key(EFFECTS, id));
      effects--;
      dirty = true;
    }
    return removed;
  }

  @Override
  public PendingEffect deadLetter(Outbox.Id id) {
    return get(key(DEAD_LETTERS, id), PendingEffect.parser(), "dead letter " + id);
  }

  @Override
  public PendingEffect putDeadLetter(Outbox.Id id, PendingEffect e) {
    PendingEffect before = deadLetter(id);
    tables.put(key(DEAD_LETTERS, id), e.toByteArray());
    deadLetters += before == null ? 1 : 0;
    dirty = true;
    return before;
  }

  @Override
  public PendingEffect removeDeadLetter(Outbox.Id id) {
    PendingEffect removed = deadLetter(id);
    if (removed != null) {
      tables.delete(key(DEAD_LETTERS, id));
      deadLetters--;
      dirty = true;
    }
    return removed;
  }

  @Override
  public PendingTimer timer(TimerKey key) {
    return get(key(key), PendingTimer.parser(), "timer " + key);
  }

  @Override
  public PendingTimer putTimer(TimerKey key, PendingTimer t) {
    PendingTimer before = timer(key);
    tables.put(key(key), t.toByteArray());
    timersByDue.timerPut(key, before, t);
    timers += before == null ? 1 : 0;
    dirty = true;
    return before;
  }

  @Override
  public PendingTimer removeTimer(TimerKey key) {
    PendingTimer removed = timer(key);
    if (removed != null) {
      tables.delete(key(key));
      timersByDue.timerRemoved(key, removed);
      timers--;
      dirty = true;
    }
    return removed;
  }

  @Override
  public void pairAdded(EntityKey source, EntityKey target, long seq) {
    byte[] key = pairKey(source, target, seq);
    tables.put(key, NOTHING);
    pairWrites.put(key, Boolean.TRUE);
  }

  @Override
  public void pairRemoved(EntityKey source, EntityKey target, long seq) {
    byte[] key = pairKey(source, target, seq);
    tables.delete(key);
    pairWrites.put(key, Boolean.FALSE);
  }

  /**
   * The pair's oldest pending message is the smaller of the first committed key under the pair's
   * prefix not deleted since the last commit, and the first key added since then.
   */
  @Override
  public boolean isFirstOfPair(EntityKey source, EntityKey target, long seq) {
    byte[] prefix = pairPrefix(source, target);
    byte[][] first = {null};
    tables.forEach(prefix, (k, v) -> {
      if (pairWrites.get(k) == Boolean.FALSE) {
        return true;
      }
      first[0] = k;
      return false;
    });
    for (Map.Entry<byte[], Boolean> e : pairWrites.tailMap(prefix, true).entrySet()) {
      if (!startsWith(e.getKey(), prefix)) {
        break;
      }
      if (e.getValue()) {
        if (first[0] == null || Arrays.compareUnsigned(e.getKey(), first[0]) < 0) {
          first[0] = e.getKey();
        }
        break;
      }
    }
    return first[0] != null && Arrays.equals(first[0], pairKey(source, target, seq));
  }

  @Override
  public Iterable<Map.Entry<Outbox.Id, PendingMessage>> messages() {
    return paged(MESSAGES, v -> {
      PendingMessage m = parse(v, PendingMessage.parser(), "a message");
      return new AbstractMap.SimpleImmutableEntry<>(new Outbox.Id(Protos.key(m.getSource()), m.getSeq()), m);
    });
  }

  @Override
  public Iterable<Map.Entry<Outbox.Id, PendingEffect>> effects() {
    return paged(EFFECTS, DiskOutboxTables::effectEntry);
  }

  @Override
  public Iterable<Map.Entry<Outbox.Id, PendingEffect>> deadLetters() {
    return paged(DEAD_LETTERS, DiskOutboxTables::effectEntry);
  }

  @Override
  public Iterable<Map.Entry<TimerKey, PendingTimer>> timers() {
    return paged(TIMERS, v -> {
      PendingTimer t = parse(v, PendingTimer.parser(), "a timer");
      return new AbstractMap.SimpleImmutableEntry<>(new TimerKey(Protos.key(t.getOwner()), t.getName()), t);
    });
  }

  @Override
  public List<Outbox.Id> messageIdsAfter(Outbox.Id after, int max) {
    return idsAfter(MESSAGES, after, max, v -> {
      PendingMessage m = parse(v, PendingMessage.parser(), "a message");
      return new Outbox.Id(Protos.key(m.getSource()), m.getSeq());
    });
  }

  @Override
  public List<Outbox.Id> effectIdsAfter(Outbox.Id after, int max) {
    return idsAfter(EFFECTS, after, max, v -> effectEntry(v).getKey());
  }

  @Override
  public List<PendingTimer> timersDueAfter(Outbox.DuePoint after, int max) {
    return timersByDue.page(after, max);
  }

  private List<Outbox.Id> idsAfter(byte[] table, Outbox.Id after, int max, Function<byte[], Outbox.Id> parseId) {
    return DiskTablePages.page(tables, table, after == null ? table : DiskTablePages.justAfter(key(table, after)), max,
        parseId);
  }

  private static Map.Entry<Outbox.Id, PendingEffect> effectEntry(byte[] v) {
    PendingEffect e = parse(v, PendingEffect.parser(), "an effect");
    return new AbstractMap.SimpleImmutableEntry<>(Outbox.Id.of(e.getId()), e);
  }

  @Override
  public void forEachCounter(ObjLongConsumer<EntityKey> action) {
    for (Map.Entry<EntityKey, Long> e : paged(COUNTERS, v -> {
      OutboxCounter c = parse(v, OutboxCounter.parser(), "a counter");
      return new AbstractMap.SimpleImmutableEntry<>(Protos.key(c.getRef()), c.getLastSeq());
    })) {
      action.accept(e.getKey(), e.getValue());
    }
  }

  @Override
  public int counterCount() {
    return counters;
  }

  @Override
  public int messageCount() {
    return messages;
  }

  @Override
  public int effectCount() {
    return effects;
  }

  @Override
  public int deadLetterCount() {
    return deadLetters;
  }

  @Override
  public int timerCount() {
    return timers;
  }

  @Override
  public boolean inStore() {
    return true;
  }

  /** Every change of the outbox's digest or item count writes a table, so {@link #dirty} covers them. */
  @Override
  public void beforeCommit(long digest, int pendingItems) {
    pairWrites.clear();
    timersByDue.beforeCommit();
    if (!dirty) {
      return;
    }
    CountersRow.write(tables, META, META_LONGS, counters, messages, effects, deadLetters, timers, pendingItems, digest,
        digested ? 1 : 0);
    dirty = false;
  }

  /**
   * Takes the counts from the store (just replaced by a checkpoint that holds the outbox); empty when
   * it holds none. A store written before the timers' due index existed gets it here, once
   * ({@link DiskTimerDueIndex#load}; {@code commitPage} commits a page of its rows).
   */
  void load(Runnable commitPage) {
    clear();
    ByteBuffer b = CountersRow.read(tables, META, META_LONGS, "the disk outbox's counts");
    if (b == null) {
      return;
    }
    counters = (int) b.getLong();
    messages = (int) b.getLong();
    effects = (int) b.getLong();
    deadLetters = (int) b.getLong();
    timers = (int) b.getLong();
    loadedPendingItems = (int) b.getLong();
    loadedDigest = b.getLong();
    if (b.getLong() != (digested ? 1 : 0)
        || loadedPendingItems != messages + effects + deadLetters + timers) {
      throw new IllegalStateException("the disk outbox's counts do not add up (" + messages + " messages, " + effects
          + " effects, " + deadLetters + " dead letters, " + timers + " timers, " + loadedPendingItems
          + " items) or were written with another digest setting: the state store is corrupt");
    }
    dirty = false;
    timersByDue.load(timers(), PAGE_ITEMS, commitPage);
  }

  long loadedDigest() {
    return loadedDigest;
  }

  int loadedPendingItems() {
    return loadedPendingItems;
  }

  /** What this table holds in the heap besides its counts: the pair keys written since the last commit. */
  int heapEntries() {
    return pairWrites.size();
  }

  @Override
  public void clear() {
    counters = 0;
    messages = 0;
    effects = 0;
    deadLetters = 0;
    timers = 0;
    loadedDigest = 0;
    loadedPendingItems = 0;
    pairWrites.clear();
    timersByDue.cleared();
    dirty = true;
  }

  // ---- reading ------------------------------------------------------------------------------

  /** A table's items in key order, read from the store {@link #PAGE_ITEMS} at a time. */
  private <K, V> Iterable<Map.Entry<K, V>> paged(byte[] prefix, Function<byte[], Map.Entry<K, V>> parse) {
    return DiskTablePages.paged(tables, prefix, PAGE_ITEMS, parse);
  }

  private <T> T get(byte[] key, Parser<T> parser, String what) {
    byte[] v = tables.get(key);
    return v == null ? null : parse(v, parser, what);
  }

  private static <T> T parse(byte[] v, Parser<T> parser, String what) {
    try {
      return parser.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the disk outbox's " + what + " cannot be decoded (" + e.getMessage()
          + "): the state store is corrupt", e);
    }
  }

  // ---- keys ---------------------------------------------------------------------------------

  private static byte[] key(byte[] table, EntityKey entity) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(table);
    OrderedKeyBytes.entity(out, entity);
    return out.toByteArray();
  }

  private static byte[] key(byte[] table, Outbox.Id id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(table);
    OrderedKeyBytes.entity(out, id.source());
    OrderedKeyBytes.seq(out, id.seq());
    return out.toByteArray();
  }

  private static byte[] key(TimerKey key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(TIMERS);
    OrderedKeyBytes.entity(out, key.owner());
    OrderedKeyBytes.string(out, key.name());
    return out.toByteArray();
  }

  private static byte[] pairPrefix(EntityKey source, EntityKey target) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    out.writeBytes(PAIRS);
    OrderedKeyBytes.entity(out, source);
    OrderedKeyBytes.entity(out, target);
    return out.toByteArray();
  }

  private static byte[] pairKey(EntityKey source, EntityKey target, long seq) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(104);
    out.writeBytes(pairPrefix(source, target));
    OrderedKeyBytes.seq(out, seq);
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
