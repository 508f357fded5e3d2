package io.pachyderm.client.internal;

import io.pachyderm.cluster.Peer;
import io.pachyderm.api.HistoryUnavailableException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.cluster.Peer;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads one entity's journal page by page from whichever node can serve it, sticking to one node
 * while it answers. A node may lack the asked-for versions (it caught up by snapshot installation,
 * or retention dropped them): the cursor then asks the next node, and gives up with
 * {@link HistoryUnavailableException} only when every node said so. Unreachable nodes are skipped
 * until the caller's deadline. Not thread-safe: one cursor per reader.
 */
public final class HistoryCursor {
  /** Records a node returns per page at most (it caps what a query asks). */
  public static final int PAGE_RECORDS_MAX = 1_000;
  /** One long poll waits at most this long, so a dead node is noticed within about a second. */
  public static final long LONG_POLL_WAIT_MS = 1_000;
  /** Pause after every node failed once, so a cluster that is down is not polled in a tight loop. */
  private static final long ROUND_PAUSE_MS = 200;
  /**
   * After this many empty answers in a row the cursor moves to the next node: a node cut off from
   * the majority answers "nothing new" forever, while the others move on. An idle entity's
   * readers just rotate, one long poll per node in turn.
   */
  static final int EMPTY_ANSWERS_BEFORE_MOVING = 3;
  /** Pause after an empty answer that came back well before the asked wait (see {@link #next}). */
  private static final long EARLY_ANSWER_PAUSE_MS = 100;

  interface PageReader {
    HistoryPage read(String peerId, HistoryQuery query) throws IOException;
  }

  /**
   * Reads the entity's state and version linearizably (through the leader, ReadIndex): at or after
   * every write acknowledged before the call. Throws on failure; the cursor retries to its deadline.
   */
  interface StateReader {
    EntityRead read(Ref ref, long timeoutMs) throws Exception;
  }

  private final PageReader reader;
  private final StateReader stateReader;
  private final List<Peer> peers;
  private final Ref ref;
  private int current;
  /** The last node failure seen, for error messages; empty when none. */
  private String lastFailure = "";
  private int emptyInARow;

  HistoryCursor(PageReader reader, StateReader stateReader, List<Peer> peers, Ref ref, int firstPeer) {
    this.reader = reader;
    this.stateReader = stateReader;
    this.peers = peers;
    this.ref = ref;
    this.current = Math.floorMod(firstPeer, peers.size());
  }

  /** The node the cursor reads from now. */
  public String peerId() {
    return peers.get(current).id();
  }

  /**
   * Up to {@code limit} records from {@code fromVersion} on, from a node that holds them. If the
   * node holds none yet it waits up to {@code waitMs} (long poll) and may return an empty page:
   * the caller is caught up with that node. Returns null when {@code deadlineNs} passes first.
   *
   * @throws HistoryUnavailableException if no node holds {@code fromVersion} any more
   */
  public HistoryPage fetch(long fromVersion, int limit, long waitMs, long deadlineNs) throws InterruptedException {
    HistoryQuery.Builder q = HistoryQuery.newBuilder().setRef(ref).setFromVersion(fromVersion).setLimit(limit);
    return next(q, waitMs, deadlineNs, fromVersion);
  }

  /**
   * Passes the records of versions {@code fromVersion..upToVersion} to {@code sink}, in order and
   * each once, page by page, long-polling a node that has not applied them yet. Returns the next
   * version not passed: {@code upToVersion + 1} when done, less when {@code deadlineNs} came first.
   *
   * @throws HistoryUnavailableException if no node holds a version of the range any more
   */
  public long readRange(long fromVersion, long upToVersion, long deadlineNs, Consumer<JournalRecord> sink)
      throws InterruptedException {
    long next = fromVersion;
    // Bounded by upToVersion and the deadline: each page advances, or long-polls a node that lags.
    while (next <= upToVersion) {
      int limit = (int) Math.min(PAGE_RECORDS_MAX, upToVersion - next + 1);
      HistoryPage page = fetch(next, limit, LONG_POLL_WAIT_MS, deadlineNs);
      if (page == null) {
        return next;
      }
      for (JournalRecord r : page.getRecordsList()) {
        if (r.getVersion() != next || next > upToVersion) {
          break; // never skip or repeat a version: ask again from next
        }
        sink.accept(r);
        next++;
      }
    }
    return next;
  }

  /**
   * The entity's current state and version (as {@code last_version} and {@code state}), read
   * linearizably: at or after every write acknowledged before this call, whichever node the cursor
   * reads from next (a follower may not have applied the newest entry yet, issue 10). Null when
   * {@code deadlineNs} passes first.
   */
  public HistoryPage currentState(long deadlineNs) throws InterruptedException {
    // Bounded by the deadline: each pass spends a read of at most the remaining time, or a pause.
    for (;;) {
      long remainingMs = remainingMs(deadlineNs, "the current state");
      if (remainingMs <= 0) {
        return null;
      }
      try {
        EntityRead read = stateReader.read(ref, remainingMs);
        HistoryPage.Builder page = HistoryPage.newBuilder().setLastVersion(read.getVersion());
        if (read.hasState()) {
          page.setState(read.getState());
        }
        return page.build();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
            ? e.getCause() : e;
        if (cause instanceof PachydermException p) {
          throw p; // the read itself is wrong (unknown type, invalid ref): no retry does better
        }
        lastFailure = "the leader: " + cause;
        Thread.sleep(Math.min(ROUND_PAUSE_MS, Math.max(1, remainingMs)));
      }
    }
  }

  /** Milliseconds left before {@code deadlineNs} (0 or less: past it); throws if interrupted while time is left. */
  private long remainingMs(long deadlineNs, String reading) throws InterruptedException {
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
    if (remainingMs > 0 && Thread.interrupted()) {
      throw new InterruptedException("interrupted while reading " + reading + " of " + describe());
    }
    return remainingMs;
  }

  private HistoryPage next(HistoryQuery.Builder q, long waitMs, long deadlineNs, long fromVersion)
      throws InterruptedException {
    int lacking = 0;
    int disabled = 0;
    int failures = 0;
    long oldest = Long.MAX_VALUE;
    // Bounded by the deadline: every pass either returns, throws, or spends an RPC or a pause.
    for (;;) {
      long remainingMs = remainingMs(deadlineNs, "the history");
      if (remainingMs <= 0) {
        return null;
      }
      String peer = peerId();
      HistoryPage page;
      long askedWaitMs = Math.max(0, Math.min(waitMs, remainingMs));
      long startNs = System.nanoTime();
      try {
        page = reader.read(peer, q.setWaitMs((int) askedWaitMs).build());
      } catch (InterruptedIOException e) {
        throw new InterruptedException("interrupted while reading the history of " + describe());
      } catch (IOException | RuntimeException e) {
        if (e instanceof PachydermException p) {
          throw p; // the request itself is wrong (unknown type, invalid ref): no node will do better
        }
        lastFailure = peer + ": " + e;
        advance();
        if (++failures % peers.size() == 0) {
          Thread.sleep(Math.min(ROUND_PAUSE_MS, remainingMs));
        }
        continue;
      }
      if (page.getJournalDisabled()) {
        advance();
        if (++disabled + lacking >= peers.size()) {
          throw new PachydermException(disabled == peers.size()
              ? "no node keeps an event journal (journalEnabled(false)): history of " + describe() + " is not served"
              : "no node that keeps a journal holds " + describe() + " from version " + fromVersion);
        }
        continue;
      }
      if (q.getCurrentState() || startsAt(page, fromVersion)) {
        emptyInARow = 0;
        return page;
      }
      if (page.getRecordsCount() == 0 && holds(page, fromVersion)) {
        if (++emptyInARow >= EMPTY_ANSWERS_BEFORE_MOVING) {
          emptyInARow = 0;
          advance(); // the next poll asks another node: this one may be partitioned away
        }
        // Caught up. A node with too many parked polls answers at once instead of waiting: pause
        // here, so that such answers do not turn every follower into a tight polling loop.
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        if (waitedMs < askedWaitMs / 2) {
          Thread.sleep(Math.min(EARLY_ANSWER_PAUSE_MS, askedWaitMs - waitedMs));
        }
        return page;
      }
      if (page.getFirstVersion() > 0) {
        oldest = Math.min(oldest, page.getFirstVersion());
      }
      advance();
      if (++lacking + disabled >= peers.size()) {
        throw new HistoryUnavailableException("history of " + describe() + " from version " + fromVersion
            + " is held by no node" + (oldest == Long.MAX_VALUE ? "" : "; the oldest held is version " + oldest)
            + (lastFailure.isEmpty() ? "" : " (last unreachable: " + lastFailure + ")"),
            oldest == Long.MAX_VALUE ? 0 : oldest);
      }
    }
  }

  /** A journal returns its oldest retained records when asked for older ones: those are not a start at fromVersion. */
  private static boolean startsAt(HistoryPage page, long fromVersion) {
    return page.getRecordsCount() > 0 && page.getRecords(0).getVersion() == fromVersion;
  }

  /**
   * Whether an empty page means "nothing newer yet" rather than "this node lacks it": the node's
   * journal starts at or before {@code fromVersion}, or holds nothing of an entity that has not
   * reached {@code fromVersion} on this node.
   */
  private static boolean holds(HistoryPage page, long fromVersion) {
    if (page.getFirstVersion() == 0) {
      return page.getLastVersion() < fromVersion;
    }
    return page.getFirstVersion() <= fromVersion;
  }

  /** The last node failure seen ("node: exception"), or empty: says why a fetch ran out of time. */
  public String lastFailure() {
    return lastFailure;
  }

  private void advance() {
    current = (current + 1) % peers.size();
  }

  private String describe() {
    return ref.getEcosystem() + ":" + ref.getType() + "/" + ref.getId();
  }
}
