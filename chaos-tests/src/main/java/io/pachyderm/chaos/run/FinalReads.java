package io.pachyderm.chaos.run;

import io.pachyderm.chaos.checker.Anomaly;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Takes the final reads of a run at one applied index. A write whose client gave up (its outcome
 * unknown) can still be inside the cluster and commit after the cluster looked caught up; when
 * it lands while the nodes are being read one after another, one node reads before it and another
 * after, and the checkers see replicas that disagree although they apply the same log. So a round
 * of reads counts only when every node reports the same applied index before the round and the
 * same one after it: every read of that round then saw that one index. A round that straddled a
 * commit is thrown away and taken again, up to {@code roundsMax} times.
 *
 * <p>A workload that never goes quiet (a periodic timer) may never give such a round: after the
 * last round its reads are kept as they are and {@link Outcome#appliedIndex()} is -1, which the
 * report says; the checkers then judge reads taken while the state was moving, as they did before.
 *
 * <p>Stateless; {@link #take} blocks the calling thread for up to {@code roundsMax} settle waits
 * and read rounds.
 */
final class FinalReads {
  /** What the final reads need from a cluster. */
  interface Nodes {
    /** How many nodes must answer for an applied index to count as common. */
    int count();

    /** Each node's applied index now; a node that did not answer is absent. */
    Map<String, Long> appliedIndexes() throws InterruptedException;

    /** One round: every key read on every node. */
    Round readAll() throws InterruptedException;
  }

  /** One read: {@code node} answered {@code value} for {@code key}. */
  record Read(String node, String key, Object value) {}

  /** One round's reads and the reads that failed. */
  record Round(List<Read> reads, List<Anomaly> failures) {}

  /**
   * The reads kept.
   *
   * @param appliedIndex the applied index every read saw, or -1 when no round was taken at one index
   * @param rounds rounds taken, the kept one included
   */
  record Outcome(Round round, long appliedIndex, int rounds) {
    String describe() {
      return appliedIndex >= 0
          ? "at applied index " + appliedIndex + " on every node (round " + rounds + ")"
          : "not at one applied index after " + rounds + " rounds (the cluster kept applying)";
    }
  }

  /** Rounds taken at most before the last round's reads are kept as they are. */
  static final int ROUNDS_MAX = 5;
  /** How long each round waits for the nodes to report one applied index before reading anyway. */
  static final Duration SETTLE_WAIT = Duration.ofSeconds(10);
  private static final long POLL_MS = 200;

  private FinalReads() {}

  static Outcome take(Nodes nodes, int roundsMax, Duration settleWait) throws InterruptedException {
    if (roundsMax < 1) {
      throw new IllegalArgumentException("roundsMax must be at least 1, was " + roundsMax);
    }
    Round last = null;
    for (int round = 1; round <= roundsMax; round++) {
      long before = awaitCommonIndex(nodes, settleWait);
      last = nodes.readAll();
      long after = commonIndex(nodes.appliedIndexes().values(), nodes.count());
      if (before >= 0 && after == before) {
        return new Outcome(last, before, round);
      }
    }
    return new Outcome(last, -1, roundsMax);
  }

  /** Polls until every node reports one applied index, up to {@code wait}; -1 when they never did. */
  private static long awaitCommonIndex(Nodes nodes, Duration wait) throws InterruptedException {
    long deadlineNs = System.nanoTime() + wait.toNanos();
    while (true) {
      long index = commonIndex(nodes.appliedIndexes().values(), nodes.count());
      if (index >= 0 || System.nanoTime() >= deadlineNs) {
        return index;
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** The applied index all {@code count} nodes report, or -1 when one is missing or they differ. */
  static long commonIndex(Collection<Long> indexes, int count) {
    if (indexes.size() != count || indexes.isEmpty()) {
      return -1;
    }
    long first = indexes.iterator().next();
    for (long index : indexes) {
      if (index != first) {
        return -1;
      }
    }
    return first;
  }
}
