package io.pachyderm.client;

import io.pachyderm.api.Change;
import io.pachyderm.api.Follow;
import io.pachyderm.client.internal.HistoryCursor;
import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.ChangeFolder;
import io.pachyderm.runtime.CommandExecutor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Follow} over the cluster: long polls of one node's journal (a node answers as soon as
 * the entity's next event is applied there), moving to another node when that one fails. Version
 * numbers make it gap-free and duplicate-free across nodes: the cursor always asks for exactly
 * the next version, and only that version is taken from a page.
 *
 * <p>States, when asked for, are folded here from the events with the entity type's own
 * {@code apply} (the same deterministic fold every replica runs); see {@link ChangeFolder}.
 */
final class ClusterFollow<S> implements Follow<S> {
  /** Records per page; a consumer that stops polling holds at most this many in memory. */
  static final int PAGE_RECORDS = 256;

  private final HistoryCursor cursor;
  private final EntityType<?, ?, ?> type;
  private final String id;
  private final boolean fromCurrent;
  private final ChangeFolder<S> folder;
  private final ArrayDeque<Change<S>> ready = new ArrayDeque<>();
  private boolean started;
  private long lastVersion;
  private boolean closed;

  ClusterFollow(HistoryCursor cursor, EntityType<?, ?, ?> type, String id, long fromVersion, boolean withStates) {
    this.folder = new ChangeFolder<>(type, id, fromVersion, withStates);
    this.cursor = cursor;
    this.type = type;
    this.id = id;
    this.fromCurrent = fromVersion == FROM_CURRENT;
    this.started = !fromCurrent;
    this.lastVersion = fromCurrent ? 0 : fromVersion - 1;
  }

  @Override
  public Change<S> poll(Duration timeout) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("follow of " + type.name() + "/" + id + " is closed");
    }
    long deadlineNs = System.nanoTime() + Math.max(0, timeout.toNanos());
    // Bounded by the deadline: each pass does one long poll of at most LONG_POLL_WAIT_MS.
    while (ready.isEmpty()) {
      if (!started && !start(deadlineNs)) {
        return null;
      }
      if (!ready.isEmpty()) {
        break;
      }
      long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
      if (remainingMs <= 0) {
        return null;
      }
      HistoryPage page = cursor.fetch(folder.next(), PAGE_RECORDS, Math.min(HistoryCursor.LONG_POLL_WAIT_MS, remainingMs), deadlineNs);
      if (page == null) {
        return null;
      }
      for (JournalRecord r : page.getRecordsList()) {
        if (r.getVersion() != folder.next()) {
          break; // never skip or repeat a version: ask again from the next one
        }
        Change<S> change = folder.take(HistoryEvents.decode(type, r));
        if (change != null) {
          ready.add(change);
        }
      }
    }
    Change<S> change = ready.poll();
    lastVersion = change.version();
    return change;
  }

  /** For {@link #FROM_CURRENT}: reads the current state now; false if the deadline passed first. */
  boolean start(long deadlineNs) throws InterruptedException {
    HistoryPage page = cursor.currentState(deadlineNs);
    if (page == null) {
      return false;
    }
    Object current = page.hasState() ? type.codec().decode(Protos.encoded(page.getState()))
        : CommandExecutor.initialState(type, id);
    ready.add(folder.startAt(page.getLastVersion(), current));
    started = true;
    return true;
  }

  @Override
  public long lastVersion() {
    return lastVersion;
  }

  @Override
  public void close() {
    closed = true;
    ready.clear();
  }
}
