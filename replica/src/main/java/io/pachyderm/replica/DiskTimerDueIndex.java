package io.pachyderm.replica;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.runtime.TimerKey;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The disk outbox's timers in due order, so that the leader's timer pump reads the earliest few
 * instead of holding every pending timer in the heap: table {@code Tou}, key = the table's three
 * bytes, the due time (8 bytes big-endian, sign bit flipped) and the timer's key
 * ({@link OrderedKeyBytes}, the order of {@link Outbox.DuePoint}); value = the timer row's key, where
 * the timer itself is read. A row is written and removed with its timer row, in the same per-entry
 * batch, so it is deterministic and part of every checkpoint.
 *
 * <p>Stores written before this index existed have timers and no rows: {@code Tov} marks a store
 * whose index is whole, and a load of a store without the mark builds the index once.
 *
 * <p>Thread-safety: {@link #timerPut} and {@link #timerRemoved} on the apply thread; {@link #page}
 * from any thread (committed rows; each timer read as the store's overlay holds it).
 */
final class DiskTimerDueIndex {
  private static final byte[] DUE = {StoreTables.PREFIX, 'o', 'u'};
  private static final byte[] WHOLE = {StoreTables.PREFIX, 'o', 'v'};
  /** The value of {@link #WHOLE}: the version of the index's layout. */
  private static final byte[] LAYOUT_V1 = {1};

  private final StoreTables tables;
  private final Function<TimerKey, byte[]> rowKey;
  /** The index holds every timer (the mark is written, or will be at the next commit). Apply thread. */
  private boolean whole;
  private boolean markWritten;

  /** @param rowKey the key of a timer's row in the timers table */
  DiskTimerDueIndex(StoreTables tables, Function<TimerKey, byte[]> rowKey) {
    this.tables = tables;
    this.rowKey = rowKey;
  }

  /** Timer {@code key} was set to {@code after}, replacing {@code before} (or null). Apply thread. */
  void timerPut(TimerKey key, PendingTimer before, PendingTimer after) {
    if (before != null && before.getDueMs() != after.getDueMs()) {
      tables.delete(key(before.getDueMs(), key));
    }
    tables.put(key(after.getDueMs(), key), rowKey.apply(key));
  }

  /** Timer {@code key}, due at {@code removed}'s time, left the outbox. Apply thread. */
  void timerRemoved(TimerKey key, PendingTimer removed) {
    tables.delete(key(removed.getDueMs(), key));
  }

  /**
   * At most {@code max} timers after {@code after} (null: from the first) in due order, of the
   * committed rows; fewer only when the rows run out. A row whose timer the entry being applied
   * removed or moved to another due time is passed over: its new row comes with that entry's commit.
   */
  List<PendingTimer> page(Outbox.DuePoint after, int max) {
    byte[] from = after == null ? DUE : DiskTablePages.justAfter(key(after.dueMs(), after.key()));
    List<PendingTimer> page = new ArrayList<>(Math.min(max, 1_024));
    // Bounded: every round reads at least one row past the last, or ends.
    while (page.size() < max) {
      int wanted = max - page.size();
      List<byte[]> keys = new ArrayList<>(Math.min(wanted, 1_024));
      List<byte[]> rows = new ArrayList<>(Math.min(wanted, 1_024));
      tables.forEachFrom(DUE, from, (k, v) -> {
        keys.add(k);
        rows.add(v);
        return rows.size() < wanted;
      });
      for (int i = 0; i < rows.size(); i++) {
        byte[] v = tables.get(rows.get(i));
        PendingTimer t = v == null ? null : parse(v);
        if (t != null && Arrays.equals(keys.get(i), key(t.getDueMs(), Outbox.DuePoint.of(t).key()))) {
          page.add(t);
        }
      }
      if (rows.size() < wanted) {
        break;
      }
      from = DiskTablePages.justAfter(keys.get(keys.size() - 1));
    }
    return page;
  }

  /**
   * The store holds no outbox (new, emptied, or about to be replaced and {@link #load}ed): its index
   * is whole, and the mark goes in at the next commit.
   */
  void cleared() {
    whole = true;
    markWritten = false;
  }

  /**
   * Makes the index whole for a store just opened on a checkpoint: nothing to do when the mark is
   * there; otherwise (a store written before the index existed) a row for each timer in
   * {@code timers}, committed by {@code commitPage} every {@code pageItems} rows so that the writes
   * waiting for a commit stay bounded. Idempotent: a crash half-way leaves no mark, and the next load
   * writes the same rows again.
   */
  void load(Iterable<Map.Entry<TimerKey, PendingTimer>> timers, int pageItems, Runnable commitPage) {
    if (tables.get(WHOLE) != null) {
      whole = true;
      markWritten = true;
      return;
    }
    int sinceCommit = 0;
    for (Map.Entry<TimerKey, PendingTimer> e : timers) {
      tables.put(key(e.getValue().getDueMs(), e.getKey()), rowKey.apply(e.getKey()));
      if (++sinceCommit == pageItems) {
        commitPage.run();
        sinceCommit = 0;
      }
    }
    whole = true;
    markWritten = false;
  }

  /** Writes the mark once the index is known whole. Apply thread, before the store's commit. */
  void beforeCommit() {
    if (whole && !markWritten) {
      tables.put(WHOLE, LAYOUT_V1);
      markWritten = true;
    }
  }

  private static byte[] key(long dueMs, TimerKey key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(72);
    out.writeBytes(DUE);
    OrderedKeyBytes.seq(out, dueMs);
    OrderedKeyBytes.entity(out, key.owner());
    OrderedKeyBytes.string(out, key.name());
    return out.toByteArray();
  }

  private static PendingTimer parse(byte[] v) {
    try {
      return PendingTimer.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the disk outbox's timer cannot be decoded (" + e.getMessage()
          + "): the state store is corrupt", e);
    }
  }
}
