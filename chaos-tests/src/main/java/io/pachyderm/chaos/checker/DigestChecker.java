package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.client.NodeView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the nodes' replica digests at equal applied indexes (issue 16): the replicated state is
 * a function of the log alone, so two nodes that have applied the same index must report the same
 * digest. The samples come from each node's status during and after the run: the digest at its
 * applied index when asked, and its checkpoints (every 100th index it applied). The verdict names
 * the first index where two nodes differ, which is where to look in the node logs; it judges the
 * nodes, not the history, so the history passed to {@link #check} is not read.
 *
 * <p>Thread-safe: the run's sampler records while the clients run.
 */
public final class DigestChecker implements Checker {
  public static final String NAME = "replicas";

  /** node id -> applied index -> digest. */
  private final Map<String, NavigableMap<Long, Long>> samples = new TreeMap<>();

  /** Records what {@code view} reports; unreachable nodes report nothing. */
  public synchronized void record(NodeView view) {
    if (!view.reachable() || view.appliedIndex() <= 0) {
      return;
    }
    NavigableMap<Long, Long> node = samples.computeIfAbsent(view.nodeId(), k -> new TreeMap<>());
    node.putAll(view.digestCheckpoints());
    node.put(view.appliedIndex(), view.digest());
  }

  /** Records one sample directly (tests, and nodes read some other way). */
  public synchronized void record(String nodeId, long appliedIndex, long digest) {
    samples.computeIfAbsent(nodeId, k -> new TreeMap<>()).put(appliedIndex, digest);
  }

  @Override
  public synchronized Verdict check(History ignored) {
    TreeSet<Long> shared = new TreeSet<>();
    Map<Long, Integer> seenBy = new TreeMap<>();
    for (NavigableMap<Long, Long> node : samples.values()) {
      for (Long index : node.keySet()) {
        if (seenBy.merge(index, 1, Integer::sum) == 2) {
          shared.add(index);
        }
      }
    }
    CappedAnomalies anomalies = new CappedAnomalies(10);
    long firstDivergent = -1;
    int divergent = 0;
    for (long index : shared) {
      Map<String, Long> at = new LinkedHashMap<>();
      samples.forEach((node, digests) -> {
        Long d = digests.get(index);
        if (d != null) {
          at.put(node, d);
        }
      });
      if (at.values().stream().distinct().count() > 1) {
        divergent++;
        if (firstDivergent < 0) {
          firstDivergent = index;
        }
        List<String> parts = new ArrayList<>();
        at.forEach((node, d) -> parts.add(node + " " + NodeView.hex(d)));
        anomalies.add(Anomaly.REPLICA_DIVERGENCE, null, (divergent == 1 ? "first " : "") + "divergence at applied index "
            + index + ": " + String.join(", ", parts));
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("nodes", samples.size());
    stats.put("indexesCompared", shared.size());
    stats.put("lastIndexCompared", shared.isEmpty() ? 0 : shared.last());
    stats.put("divergentIndexes", divergent);
    if (firstDivergent >= 0) {
      stats.put("firstDivergentIndex", firstDivergent);
    }
    if (shared.isEmpty() && samples.size() > 1) {
      // Nothing to compare is no evidence of agreement: say so rather than pass quietly.
      anomalies.add(Anomaly.REPLICA_DIVERGENCE, null, "no applied index was sampled on two nodes: nothing compared");
    }
    if (anomalies.suppressed() > 0) {
      stats.put("anomaliesSuppressed", anomalies.suppressed());
    }
    return Verdict.of(NAME, anomalies.listed(), stats);
  }

  /** Writes every sample as {@code node index digest} lines, for reading beside the node logs. */
  public synchronized void write(Path file) {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("# node\tapplied_index\treplica_digest\n");
      for (Map.Entry<String, NavigableMap<Long, Long>> node : samples.entrySet()) {
        for (Map.Entry<Long, Long> e : node.getValue().entrySet()) {
          w.write(node.getKey() + "\t" + e.getKey() + "\t" + NodeView.hex(e.getValue()) + "\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
