package io.pachyderm.client.internal;

import io.pachyderm.api.HistoryUnavailableException;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.JournalRecord;
import java.time.Duration;
import java.util.function.Consumer;

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
   * Passes the records of versions {@code fromVersion..upToVersion} to {@code sink} in order, each
   * once, waiting for nodes that lag; returns the next version not passed ({@code upToVersion + 1}
   * when done, less when {@code timeout} passed first).
   *
   * @throws HistoryUnavailableException if no node holds a version of the range
   */
  public long range(long fromVersion, long upToVersion, Duration timeout, Consumer<JournalRecord> sink)
      throws InterruptedException {
    if (fromVersion < 1) {
      throw new IllegalArgumentException("fromVersion must be >= 1, was " + fromVersion);
    }
    return cursor.readRange(fromVersion, upToVersion, System.nanoTime() + timeout.toNanos(), sink);
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
