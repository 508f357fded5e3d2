package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks an append-list workload: each entity is a list, {@code append(key, e)} adds element e,
 * {@code read(key) -> [..]} and {@code final-read(node, key) -> [..]} return the whole list. This
 * is the shape of an entity's event history, so it tests "one total order per entity; a
 * committed event is never lost or reordered" directly.
 *
 * <p>Requires every element to be appended at most once per key (the generator must make
 * elements unique, for example a global counter); otherwise the key is reported as
 * {@link Anomaly#MALFORMED_HISTORY}.
 *
 * <p>Per key, the <i>reference order</i> is the longest final read (ties: the node that sorts
 * first), or, when the key has no final read, the longest read. Checks:
 *
 * <ul>
 *   <li>{@link Anomaly#DUPLICATE}: an element appears twice in one read.
 *   <li>{@link Anomaly#FAILED_WRITE_VISIBLE}: an element whose append got FAIL is read.
 *   <li>{@link Anomaly#PHANTOM_ELEMENT}: an element never appended is read, or is read by a read
 *       that completed before its append was invoked.
 *   <li>{@link Anomaly#DIVERGENT_FINAL_READS}: nodes' final reads differ (the last final read of
 *       each node counts).
 *   <li>{@link Anomaly#LOST_WRITE}: an OK append is missing from the reference final read, or an
 *       element some read observed is missing from it (only checked when the key has a final
 *       read).
 *   <li>{@link Anomaly#REORDERING}: a read is not a prefix of the reference order, or append A
 *       completed before append B was invoked yet B precedes A in the reference order.
 *   <li>{@link Anomaly#STALE_READ}: a read misses an element whose append completed before the
 *       read was invoked, or is shorter than a read that completed before it was invoked.
 * </ul>
 *
 * <p>INFO appends (and appends never completed) may or may not appear; when they appear they
 * count as having happened. Unknown-outcome and failed reads are ignored. Time is the history
 * index. At most {@link #ANOMALIES_PER_KIND_PER_KEY_MAX} anomalies of each kind are listed per
 * key; the rest are counted in the {@code anomaliesSuppressed} stat.
 *
 * <p>Thread-safe (stateless).
 */
public final class AppendChecker implements Checker {
  public static final int ANOMALIES_PER_KIND_PER_KEY_MAX = 10;

  public String name() {
    return "append";
  }

  @Override
  public Verdict check(History history) {
    Totals totals = new Totals();
    List<Anomaly> anomalies = new ArrayList<>();
    for (Map.Entry<String, History> entry : history.byKey().entrySet()) {
      KeyCheck keyCheck = new KeyCheck(entry.getKey(), totals);
      keyCheck.run(entry.getValue().pairs());
      anomalies.addAll(keyCheck.anomalies);
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("keys", totals.keys);
    stats.put("appendsOk", totals.appendsOk);
    stats.put("appendsFail", totals.appendsFail);
    stats.put("appendsUnknown", totals.appendsUnknown);
    stats.put("appendsUnknownVisible", totals.appendsUnknownVisible);
    stats.put("readsOk", totals.readsOk);
    stats.put("finalReads", totals.finalReads);
    stats.put("keysWithoutFinalRead", totals.keysWithoutFinalRead);
    stats.put("elementsFinal", totals.elementsFinal);
    stats.put("anomaliesSuppressed", totals.anomaliesSuppressed);
    return Verdict.of(name(), anomalies, stats);
  }

  private static final class Totals {
    int keys;
    long appendsOk;
    long appendsFail;
    long appendsUnknown;
    long appendsUnknownVisible;
    long readsOk;
    long finalReads;
    int keysWithoutFinalRead;
    long elementsFinal;
    long anomaliesSuppressed;
  }

  /** The checks of one key; one instance per key. */
  private static final class KeyCheck {
    private final String key;
    private final Totals totals;
    final List<Anomaly> anomalies = new ArrayList<>();
    private final Map<String, Integer> perKind = new HashMap<>();

    private final Map<Long, OpPair> appends = new LinkedHashMap<>();
    private final List<OpPair> reads = new ArrayList<>();
    /** The last final read of each node, nodes sorted. */
    private final TreeMap<String, OpPair> finalReads = new TreeMap<>();
    /** Reads already reported as holding a duplicate; not judged again as out of order. */
    private final Set<OpPair> duplicateReads = new HashSet<>();

    KeyCheck(String key, Totals totals) {
      this.key = key;
      this.totals = totals;
    }

    void run(List<OpPair> pairs) {
      if (!collect(pairs)) {
        return;
      }
      if (appends.isEmpty() && reads.isEmpty() && finalReads.isEmpty()) {
        return;
      }
      totals.keys++;
      checkEachRead();
      checkFinalReadsAgree();
      List<Long> reference = reference();
      if (reference == null) {
        return;
      }
      boolean referenceIsFinal = !finalReads.isEmpty();
      Map<Long, Integer> position = new HashMap<>();
      for (int i = 0; i < reference.size(); i++) {
        position.putIfAbsent(reference.get(i), i);
      }
      for (Long element : reference) {
        OpPair append = appends.get(element);
        if (append != null && append.outcome() == OpType.INFO) {
          totals.appendsUnknownVisible++;
        }
      }
      if (referenceIsFinal) {
        totals.elementsFinal += reference.size();
        checkLostWrites(position);
      } else {
        totals.keysWithoutFinalRead++;
      }
      List<OpPair> prefixReads = checkPrefixes(reference, position, referenceIsFinal);
      checkRealTimeOrder(reference);
      checkStaleReads(prefixReads, position);
    }

    /** Sorts the key's ops into appends and reads; false if the key is malformed. */
    private boolean collect(List<OpPair> pairs) {
      for (OpPair pair : pairs) {
        Op invoke = pair.invoke();
        if (Op.APPEND.equals(invoke.f())) {
          Object value = invoke.value();
          if (!(value instanceof Long element)) {
            return malformed("append without a number argument: " + pair.brief());
          }
          OpPair earlier = appends.putIfAbsent(element, pair);
          if (earlier != null) {
            return malformed("element " + element + " appended twice: " + earlier.brief()
                + " and " + pair.brief() + "; elements must be unique per key");
          }
          switch (pair.outcome()) {
            case OK -> totals.appendsOk++;
            case FAIL -> totals.appendsFail++;
            default -> totals.appendsUnknown++;
          }
          continue;
        }
        if (!invoke.isRead() || pair.outcome() != OpType.OK) {
          continue;
        }
        Object value = pair.value();
        if (!(value instanceof List)) {
          return malformed("read without a list value: " + pair.brief());
        }
        if (Op.FINAL_READ.equals(invoke.f())) {
          totals.finalReads++;
          finalReads.put(String.valueOf(pair.completion().node()), pair);
        } else {
          totals.readsOk++;
          reads.add(pair);
        }
      }
      return true;
    }

    private boolean malformed(String description) {
      anomalies.add(new Anomaly(Anomaly.MALFORMED_HISTORY, key, description));
      return false;
    }

    private void report(String kind, String description) {
      int count = perKind.merge(kind, 1, Integer::sum);
      if (count > ANOMALIES_PER_KIND_PER_KEY_MAX) {
        totals.anomaliesSuppressed++;
        return;
      }
      anomalies.add(new Anomaly(kind, key, description));
    }

    private List<OpPair> allReads() {
      List<OpPair> all = new ArrayList<>(reads);
      all.addAll(finalReads.values());
      return all;
    }

    /** Duplicates, failed appends made visible, phantom elements. */
    private void checkEachRead() {
      Set<Long> reportedElements = new HashSet<>();
      for (OpPair read : allReads()) {
        List<Long> list = read.completion().listValue();
        Set<Long> seen = new HashSet<>();
        for (Long element : list) {
          if (!seen.add(element)) {
            report(Anomaly.DUPLICATE,
                "element " + element + " appears more than once in " + read.brief());
            duplicateReads.add(read);
            break;
          }
        }
        for (Long element : seen) {
          if (reportedElements.contains(element)) {
            continue;
          }
          OpPair append = appends.get(element);
          if (append == null) {
            reportedElements.add(element);
            report(Anomaly.PHANTOM_ELEMENT, "element " + element + " was never appended, yet "
                + read.brief());
          } else if (append.outcome() == OpType.FAIL) {
            reportedElements.add(element);
            report(Anomaly.FAILED_WRITE_VISIBLE, "append of " + element + " failed ("
                + append.brief() + "), yet " + read.brief());
          } else if (read.completion().index() < append.invoke().index()) {
            reportedElements.add(element);
            report(Anomaly.PHANTOM_ELEMENT, read.brief()
                + " completed before the append of " + element + " was invoked ("
                + append.brief() + ")");
          }
        }
      }
    }

    private void checkFinalReadsAgree() {
      if (finalReads.size() < 2) {
        return;
      }
      Set<List<Long>> distinct = new HashSet<>();
      for (OpPair read : finalReads.values()) {
        distinct.add(read.completion().listValue());
      }
      if (distinct.size() == 1) {
        return;
      }
      StringBuilder sb = new StringBuilder("final reads differ:");
      for (Map.Entry<String, OpPair> entry : finalReads.entrySet()) {
        List<Long> list = entry.getValue().completion().listValue();
        sb.append(' ').append(entry.getKey()).append(" (#")
            .append(entry.getValue().completion().index()).append(") ")
            .append(abbreviate(list)).append(';');
      }
      sb.setLength(sb.length() - 1);
      report(Anomaly.DIVERGENT_FINAL_READS, sb.toString());
    }

    /** The longest final read, else the longest read; null if there is no read at all. */
    private List<Long> reference() {
      List<Long> best = null;
      for (OpPair read : finalReads.isEmpty() ? reads : finalReads.values()) {
        List<Long> list = read.completion().listValue();
        if (best == null || list.size() > best.size()) {
          best = list;
        }
      }
      return best;
    }

    private void checkLostWrites(Map<Long, Integer> position) {
      for (Map.Entry<Long, OpPair> entry : appends.entrySet()) {
        if (entry.getValue().outcome() == OpType.OK && !position.containsKey(entry.getKey())) {
          report(Anomaly.LOST_WRITE, "acknowledged append of " + entry.getKey() + " ("
              + entry.getValue().brief() + ") is missing from the final reads");
        }
      }
    }

    /**
     * Checks that every read is a prefix of the reference order; returns the reads that are (the
     * only ones whose length means "everything before this position").
     */
    private List<OpPair> checkPrefixes(
        List<Long> reference, Map<Long, Integer> position, boolean referenceIsFinal) {
      List<OpPair> prefixReads = new ArrayList<>();
      for (OpPair read : reads) {
        if (duplicateReads.contains(read)) {
          continue;
        }
        List<Long> list = read.completion().listValue();
        int mismatch = firstMismatch(list, reference);
        if (mismatch < 0) {
          prefixReads.add(read);
          continue;
        }
        Long element = mismatch < list.size() ? list.get(mismatch) : null;
        if (referenceIsFinal && element != null && !position.containsKey(element)) {
          report(Anomaly.LOST_WRITE, "element " + element + " was read by "
              + read.brief() + " but is missing from the final reads "
              + abbreviate(reference));
          continue;
        }
        report(Anomaly.REORDERING, read.brief() + " is not a prefix of the "
            + (referenceIsFinal ? "final" : "longest") + " read " + abbreviate(reference)
            + ": they differ at position " + mismatch);
      }
      return prefixReads;
    }

    /** -1 if {@code list} is a prefix of {@code reference}, else the first differing position. */
    private static int firstMismatch(List<Long> list, List<Long> reference) {
      for (int i = 0; i < list.size(); i++) {
        if (i >= reference.size() || !list.get(i).equals(reference.get(i))) {
          return i;
        }
      }
      return -1;
    }

    /**
     * If append A completed before append B was invoked, A must precede B. Scanning the order
     * from the back with the earliest completion seen so far finds, for each element, whether
     * some later element's append had completed before this one's was invoked.
     */
    private void checkRealTimeOrder(List<Long> reference) {
      long earliestCompletion = Long.MAX_VALUE;
      Long earliestElement = null;
      for (int i = reference.size() - 1; i >= 0; i--) {
        OpPair append = appends.get(reference.get(i));
        if (append == null) {
          continue;
        }
        if (earliestCompletion < append.invoke().index()) {
          OpPair later = appends.get(earliestElement);
          report(Anomaly.REORDERING, "append of " + earliestElement + " completed ("
              + later.brief() + ") before the append of " + reference.get(i)
              + " was invoked (" + append.brief() + "), yet " + reference.get(i)
              + " comes first in the order");
        }
        long completion = append.outcome() == OpType.OK
            ? append.completion().index() : Long.MAX_VALUE;
        if (completion < earliestCompletion) {
          earliestCompletion = completion;
          earliestElement = reference.get(i);
        }
      }
    }

    /**
     * A read must contain every append that completed before it was invoked, and be at least as
     * long as every read that completed before it was invoked. Both use running maxima over ops
     * sorted by completion, found by binary search on the read's invocation: O(n log n).
     */
    private void checkStaleReads(List<OpPair> prefixReads, Map<Long, Integer> position) {
      List<OpPair> okAppends = new ArrayList<>();
      for (OpPair append : appends.values()) {
        if (append.outcome() == OpType.OK && position.containsKey((Long) append.value())) {
          okAppends.add(append);
        }
      }
      okAppends.sort(Comparator.comparingLong(p -> p.completion().index()));
      RunningMax appendPositions = new RunningMax(okAppends, p -> position.get((Long) p.value()));
      List<OpPair> readsByCompletion = new ArrayList<>(prefixReads);
      readsByCompletion.sort(Comparator.comparingLong(p -> p.completion().index()));
      RunningMax readLengths =
          new RunningMax(readsByCompletion, p -> p.completion().listValue().size());
      for (OpPair read : prefixReads) {
        long invoked = read.invoke().index();
        int length = read.completion().listValue().size();
        OpPair missed = appendPositions.maxCompletedBefore(invoked);
        if (missed != null && position.get((Long) missed.value()) >= length) {
          report(Anomaly.STALE_READ, read.brief() + " misses "
              + missed.value() + ", whose append completed before the read was invoked ("
              + missed.brief() + ")");
          continue;
        }
        OpPair longer = readLengths.maxCompletedBefore(invoked);
        if (longer != null && longer.completion().listValue().size() > length) {
          report(Anomaly.STALE_READ, read.brief() + " has "
              + length + " elements, but " + longer.brief()
              + " completed before it was invoked with "
              + longer.completion().listValue().size());
        }
      }
    }

    private static String abbreviate(List<Long> list) {
      if (list.size() <= 12) {
        return list.toString();
      }
      List<Long> tail = list.subList(list.size() - 6, list.size());
      return "[" + list.get(0) + ", " + list.get(1) + ", " + list.get(2) + ", ... ("
          + list.size() + " elements) ..., " + String.join(", ", tail.stream()
              .map(String::valueOf).toList()) + "]";
    }
  }

  /** Over ops sorted by completion index: the op with the largest measure among a prefix. */
  private static final class RunningMax {
    private final long[] completions;
    private final OpPair[] argMax;

    RunningMax(List<OpPair> byCompletion, java.util.function.ToIntFunction<OpPair> measure) {
      completions = new long[byCompletion.size()];
      argMax = new OpPair[byCompletion.size()];
      OpPair best = null;
      int bestMeasure = Integer.MIN_VALUE;
      for (int i = 0; i < byCompletion.size(); i++) {
        OpPair pair = byCompletion.get(i);
        completions[i] = pair.completion().index();
        int m = measure.applyAsInt(pair);
        if (best == null || m > bestMeasure) {
          best = pair;
          bestMeasure = m;
        }
        argMax[i] = best;
      }
    }

    /** The op with the largest measure among those completed before {@code index}, or null. */
    OpPair maxCompletedBefore(long index) {
      int lo = 0;
      int hi = completions.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (completions[mid] < index) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == 0 ? null : argMax[lo - 1];
    }
  }
}
