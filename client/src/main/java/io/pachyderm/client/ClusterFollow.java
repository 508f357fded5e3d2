package io.pachyderm.client;

import io.pachyderm.api.Change;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Protos;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EventFolder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Follow} over the cluster: long polls of one node's journal (a node answers as soon as
 * the entity's next event is applied there), moving to another node when that one fails. Version
 * numbers make it gap-free and duplicate-free across nodes: the cursor always asks for exactly
 * the next version, and a page must start there.
 *
 * <p>States, when asked for, are folded here from the events with the entity type's own
 * {@code apply} (the same deterministic fold every replica runs). A follow from version
 * {@code v > 1} with states first folds versions {@code 1..v-1} without returning them.
 */
final class ClusterFollow<S> implements Follow<S> {
  /** Records per page; a consumer that stops polling holds at most this many in memory. */
  static final int PAGE_RECORDS = 256;
  /** One long poll waits at most this long, so a dead node is noticed within about a second. */
  static final long POLL_WAIT_MS = 1_000;

  private final HistoryCursor cursor;
  private final EntityType<?, ?, ?> type;
  private final String id;
  private final boolean withStates;
  private final long fromVersion;
  private final ArrayDeque<Change<S>> ready = new ArrayDeque<>();
  private boolean started;
  /** The next version to read from the journal. */
  private long next;
  /** The state after version {@code next - 1}; only when {@link #withStates}. */
  private Object state;
  private long lastVersion;
  private boolean closed;

  ClusterFollow(HistoryCursor cursor, EntityType<?, ?, ?> type, String id, long fromVersion, boolean withStates) {
    if (fromVersion < 0) {
      throw new IllegalArgumentException("fromVersion must be >= 1, or Follow.FROM_CURRENT (0), was " + fromVersion);
    }
    this.cursor = cursor;
    this.type = type;
    this.id = id;
    this.fromVersion = fromVersion;
    this.withStates = withStates;
    this.lastVersion = fromVersion == FROM_CURRENT ? 0 : fromVersion - 1;
  }

  @Override
  public Change<S> poll(Duration timeout) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("follow of " + type.name() + "/" + id + " is closed");
    }
    long deadlineNs = System.nanoTime() + Math.max(0, timeout.toNanos());
    // Bounded by the deadline: each pass does one long poll of at most POLL_WAIT_MS.
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
      HistoryPage page = cursor.fetch(next, PAGE_RECORDS, Math.min(POLL_WAIT_MS, remainingMs), deadlineNs);
      if (page == null) {
        return null;
      }
      take(page.getRecordsList());
    }
    Change<S> change = ready.poll();
    lastVersion = change.version();
    return change;
  }

  /** Finds where to start (for FROM_CURRENT: reads the current state now); false if the deadline passed first. */
  @SuppressWarnings("unchecked")
  boolean start(long deadlineNs) throws InterruptedException {
    if (fromVersion == FROM_CURRENT) {
      HistoryPage page = cursor.currentState(deadlineNs);
      if (page == null) {
        return false;
      }
      Object current = page.hasState() ? type.codec().decode(Protos.encoded(page.getState()))
          : CommandExecutor.initialState(type, id);
      state = withStates ? current : null;
      next = page.getLastVersion() + 1;
      started = true;
      ready.add(new Change<>(page.getLastVersion(), null, (S) current));
      return true;
    }
    // From a version: with states, replay from the first event (folded, not returned).
    next = withStates ? 1 : fromVersion;
    state = withStates ? CommandExecutor.initialState(type, id) : null;
    started = true;
    return true;
  }

  @SuppressWarnings("unchecked")
  private void take(List<JournalRecord> records) {
    for (JournalRecord r : records) {
      if (r.getVersion() != next) {
        // The node answered out of order: never skip or repeat a version; ask again.
        return;
      }
      HistoryEvent event = HistoryEvents.decode(type, r);
      if (withStates) {
        state = EventFolder.fold(type, state, next - 1, List.of(event.encoded())).state();
      }
      if (next >= fromVersion) {
        ready.add(new Change<>(next, event, withStates ? (S) state : null));
      }
      next++;
    }
  }

  @Override
  public long lastVersion() {
    return lastVersion;
  }

  /** The node this follow reads from now (for diagnostics). */
  String node() {
    return cursor.peerId();
  }

  @Override
  public void close() {
    closed = true;
    ready.clear();
  }
}
