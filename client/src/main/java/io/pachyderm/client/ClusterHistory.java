package io.pachyderm.client;

import io.pachyderm.api.Follow;
import io.pachyderm.api.Futures;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.cluster.internal.BoundedExecutor;
import io.pachyderm.client.internal.EncodedOperations;
import io.pachyderm.client.internal.HistoryCursor;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.runtime.EntityKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The typed history and follow of the {@link io.pachyderm.api.Entities} API over
 * {@link HistoryCursor}s: events decoded with the entity type's codec, failures as the API
 * documents them. {@code historyAsync} reads run on a bounded pool of four threads, since each one
 * blocks on long polls. Thread-safe; each follow is for one consumer.
 */
final class ClusterHistory implements AutoCloseable {
  private static final int HISTORY_THREADS = 4;

  private final EncodedOperations encoded;
  private final Duration requestTimeout;
  private final ExecutorService historyPool;

  ClusterHistory(EncodedOperations encoded, Duration requestTimeout, int historyReadsQueuedMax) {
    this.encoded = encoded;
    this.requestTimeout = requestTimeout;
    this.historyPool = BoundedExecutor.fixed("pachyderm-client-history", HISTORY_THREADS, historyReadsQueuedMax,
        "historyReadsQueuedMax", "history read");
  }

  /** {@code Entities.historyAsync} for an entity of {@code type}; bad arguments fail the future. */
  CompletableFuture<List<HistoryEvent>> historyAsync(EntityType<?, ?, ?> type, EntityKey key, EntityRef<?, ?> ref,
                                                     long fromVersion, int limit, ReadMode mode) {
    HistoryCursor cursor;
    try {
      requireVersion(fromVersion);
      if (limit < 1) {
        throw new IllegalArgumentException("history limit must be >= 1, was " + limit);
      }
      cursor = encoded.historyCursor(key, mode);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return supplyHistory(() -> {
      if (mode instanceof ReadMode.Linearizable) {
        long last = Math.min(committedVersion(key),
            fromVersion + Math.min(limit, HistoryCursor.PAGE_RECORDS_MAX) - 1);
        return readRange(type, ref, cursor, fromVersion, last);
      }
      long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
      HistoryPage page = fetchOrFail(ref, fromVersion, cursor, () -> cursor.fetch(fromVersion, limit, 0, deadlineNs));
      List<HistoryEvent> events = new ArrayList<>(page.getRecordsCount());
      for (JournalRecord r : page.getRecordsList()) {
        events.add(HistoryEvents.decode(type, r));
      }
      return events;
    });
  }

  /** {@code Entities.history}: every version from {@code fromVersion} to the committed one. */
  List<HistoryEvent> history(EntityType<?, ?, ?> type, EntityKey key, EntityRef<?, ?> ref, long fromVersion) {
    requireVersion(fromVersion);
    return readRange(type, ref, encoded.historyCursor(key, ReadMode.STALE), fromVersion, committedVersion(key));
  }

  /** {@code Entities.follow}; from {@link Follow#FROM_CURRENT}, the current state is read now. */
  <S> Follow<S> follow(EntityType<?, ?, ?> type, EntityKey key, EntityRef<S, ?> ref, long fromVersion,
                       boolean withStates) {
    HistoryCursor cursor = encoded.historyCursor(key, ReadMode.STALE);
    ClusterFollow<S> follow = new ClusterFollow<>(cursor, type, ref.id(), fromVersion, withStates);
    if (fromVersion == Follow.FROM_CURRENT) {
      // "Current" means when follow() is called, not when the consumer first polls.
      boolean started;
      try {
        started = follow.start(System.nanoTime() + requestTimeout.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PachydermException("interrupted while starting to follow " + ref, e);
      }
      if (!started) {
        throw new OutcomeUnknownException("no node served the current state of " + ref + " within the request timeout"
            + (cursor.lastFailure().isEmpty() ? "" : "; last failure: " + cursor.lastFailure()));
      }
    }
    return follow;
  }

  /** Runs a history read on the bounded history pool; a full queue fails the future with an OverloadedException. */
  private <T> CompletableFuture<T> supplyHistory(Supplier<T> read) {
    try {
      return CompletableFuture.supplyAsync(read, historyPool);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The entity's version read linearizably, without decoding its state: everything committed
   * before this call has a version at most this one.
   */
  private long committedVersion(EntityKey key) {
    return Futures.join(encoded.readEncoded(key, ReadMode.LINEARIZABLE)).getVersion();
  }

  /** Versions {@code fromVersion..upTo} of the entity, decoded; fails as the API documents at the request timeout. */
  private List<HistoryEvent> readRange(EntityType<?, ?, ?> type, EntityRef<?, ?> ref, HistoryCursor cursor,
                                       long fromVersion, long upTo) {
    long deadlineNs = System.nanoTime() + requestTimeout.toNanos();
    List<HistoryEvent> events = new ArrayList<>();
    fetchOrFail(ref, fromVersion, cursor, () -> {
      long next = cursor.readRange(fromVersion, upTo, deadlineNs, r -> events.add(HistoryEvents.decode(type, r)));
      return next > upTo ? next : null;
    });
    return events;
  }

  /** A cursor read that may be interrupted, and returns null when the request timeout passed first. */
  private interface CursorRead<T> {
    T read() throws InterruptedException;
  }

  /** Runs {@code read}; an interrupt or a timeout becomes the exception the API documents. */
  private <T> T fetchOrFail(EntityRef<?, ?> ref, long fromVersion, HistoryCursor cursor, CursorRead<T> read) {
    T result;
    try {
      result = read.read();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PachydermException("interrupted while reading the history of " + ref, e);
    }
    if (result == null) {
      throw new OutcomeUnknownException("no node served the history of " + ref + " from version " + fromVersion
          + " within the request timeout of " + requestTimeout.toMillis() + " ms"
          + (cursor.lastFailure().isEmpty() ? "" : "; last failure: " + cursor.lastFailure()));
    }
    return result;
  }

  private static void requireVersion(long fromVersion) {
    if (fromVersion < 1) {
      throw new IllegalArgumentException("fromVersion must be >= 1 (the first event is version 1), was " + fromVersion);
    }
  }

  /** Refuses new reads and interrupts the running ones. */
  @Override
  public void close() {
    historyPool.shutdownNow();
  }
}
