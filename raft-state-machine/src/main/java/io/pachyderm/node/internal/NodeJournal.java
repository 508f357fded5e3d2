package io.pachyderm.node.internal;

import io.pachyderm.storage.journal.EventJournal;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's event journal, once open (none when the node keeps no journal: then history and
 * follow are refused). Opened on the state machine's start, closed with it; read from any thread.
 */
final class NodeJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeJournal.class);

  /** Work that may fail with an IOException. */
  interface IoAction {
    void run() throws IOException;
  }

  private final String nodeId;
  /** Null when the node keeps no journal. */
  private final Path dir;
  private final JournalOptions options;
  private volatile EventJournal journal;
  /** The journal position recorded in the loaded snapshot (0 when none): see {@link #markGap}. */
  private volatile long snapshotJournalIndex;

  NodeJournal(String nodeId, Path dir, JournalOptions options) {
    this.nodeId = nodeId;
    this.dir = dir;
    this.options = options;
  }

  /** The journal, or null when the node keeps none (or before it is open). */
  EventJournal get() {
    return journal;
  }

  /**
   * Opens the journal while {@code snapshotLoad} runs on this thread. The snapshot load and the
   * journal open are independent (neither reads what the other builds) and both are seconds of
   * cold-JVM work after a crash (measured with {@code benchmarks/run.sh restart-cluster}), so the
   * journal opens on its own thread meanwhile. The journal's gap check needs both, so it runs after.
   * Ratis then replays the log from the snapshot on: records the journal already holds are skipped
   * by {@link EventJournal#append}, missing ones (lost with the page cache, or never written before
   * a crash) are appended again.
   */
  void openWhile(IoAction snapshotLoad) throws IOException {
    FutureTask<Void> journalOpen = new FutureTask<>(() -> {
      open();
      return null;
    });
    Thread opener = new Thread(journalOpen, nodeId + "-journal-open");
    opener.start();
    IOException failure = null;
    try {
      snapshotLoad.run();
    } catch (IOException | RuntimeException e) {
      failure = e instanceof IOException io ? io : new IOException(e);
    }
    try {
      journalOpen.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      IOException interrupted = new InterruptedIOException(nodeId + ": interrupted while opening the journal");
      if (failure != null) {
        interrupted.addSuppressed(failure);
      }
      throw interrupted;
    } catch (ExecutionException e) {
      IOException journalFailure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      if (failure == null) {
        failure = journalFailure;
      } else {
        failure.addSuppressed(journalFailure);
      }
    }
    if (failure != null) {
      // The start fails: Ratis never closes a state machine it could not start, and an open journal
      // keeps its ref index's RocksDB lock, so this process could not start the node again.
      closeAfterFailure(failure);
      throw failure;
    }
  }

  private void closeAfterFailure(IOException failure) {
    try {
      close();
    } catch (RuntimeException closeFailure) {
      failure.addSuppressed(closeFailure);
    } finally {
      journal = null;
    }
  }

  private void open() throws IOException {
    if (dir == null) {
      return;
    }
    long startNs = System.nanoTime();
    EventJournal j = EventJournal.open(dir, options);
    journal = j;
    LOG.info("{} opened its journal {} ({} records, last complete log index {}) in {} ms", nodeId, dir,
        j.records(), j.lastCompleteIndex(), (System.nanoTime() - startNs) / 1_000_000);
  }

  /**
   * The journal must hold every event up to the loaded snapshot, or replaying the log after it
   * cannot fill the journal. The snapshot records the journal's last complete index when it was
   * taken (on the node that took it: ours, or the leader's for an installed snapshot); entries
   * after that index and up to the snapshot carried no events. So events are missing exactly when
   * our journal ends before that index: after a snapshot was installed from the leader (the log
   * before it is gone), or if the journal directory was removed. Such a node serves history from
   * the snapshot on only.
   */
  void markGap(TermIndex applied) {
    EventJournal j = journal;
    if (j == null || applied == null || applied.getIndex() <= 0) {
      return;
    }
    long before = j.lastCompleteIndex();
    if (before < snapshotJournalIndex && j.markGap(applied.getIndex())) {
      LOG.warn("{}: journal holds events up to log index {} but the snapshot at {} expects them up to {}; events in "
          + "between are not on this node: its history of affected entities starts after the snapshot", nodeId,
          before, applied.getIndex(), snapshotJournalIndex);
    }
  }

  /** A snapshot was loaded (or none): the journal position it recorded, 0 for none. */
  void snapshotLoaded(long journalIndex) {
    snapshotJournalIndex = journalIndex;
  }

  /** The journal's encoded bytes appended since open, 0 without a journal. */
  long bytesAppended() {
    EventJournal j = journal;
    return j == null ? 0 : j.bytesAppended();
  }

  /** Records the journal holds (retained and indexed), 0 without a journal. */
  long records() {
    EventJournal j = journal;
    return j == null ? 0 : j.records();
  }

  @Override
  public void close() {
    EventJournal j = journal;
    if (j != null) {
      j.close();
    }
  }
}
