package io.pachyderm.client;

import io.pachyderm.api.HistoryUnavailableException;
import io.pachyderm.protocol.HistoryPage;
import java.time.Duration;

/**
 * An entity's journal read page by page with payloads left encoded, for tools that lack the
 * entity classes (the CLI's {@code history} and {@code follow}). Same node choice and fallback as
 * {@link io.pachyderm.api.Follow}. Not thread-safe.
 */
public final class EncodedHistory {
  private final HistoryCursor cursor;

  EncodedHistory(HistoryCursor cursor) {
    this.cursor = cursor;
  }

  /**
   * Up to {@code limit} records from {@code fromVersion} on; if none exists yet, waits up to
   * {@code wait} for one (the page may then be empty). Null when {@code timeout} passes first.
   *
   * @throws HistoryUnavailableException if no node holds {@code fromVersion}
   */
  public HistoryPage page(long fromVersion, int limit, Duration wait, Duration timeout) throws InterruptedException {
    if (fromVersion < 1 || limit < 1) {
      throw new IllegalArgumentException("fromVersion and limit must be >= 1, were " + fromVersion + " and " + limit);
    }
    return cursor.fetch(fromVersion, limit, wait.toMillis(), System.nanoTime() + timeout.toNanos());
  }

  /** The entity's applied version (and encoded state) on some node; null when {@code timeout} passes first. */
  public HistoryPage current(Duration timeout) throws InterruptedException {
    return cursor.currentState(System.nanoTime() + timeout.toNanos());
  }

  /** The node the last page came from. */
  public String node() {
    return cursor.peerId();
  }
}
