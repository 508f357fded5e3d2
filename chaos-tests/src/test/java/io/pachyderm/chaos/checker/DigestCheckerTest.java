package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.history.History;
import io.pachyderm.client.NodeView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestCheckerTest {
  private static final History NO_HISTORY = History.of(List.of());

  @Test
  void nodesThatAgreeAtEverySharedIndexAreValid() {
    DigestChecker c = new DigestChecker();
    c.record(view("n1", 2_500, 0xAAL, 1_000, 0x10L, 2_000, 0x20L));
    c.record(view("n2", 2_700, 0xBBL, 2_000, 0x20L));
    c.record(view("n3", 1_400, 0xCCL, 1_000, 0x10L));
    Verdict v = c.check(NO_HISTORY);
    assertThat(v.valid()).isTrue();
    assertThat(v.stats()).containsEntry("indexesCompared", 2).containsEntry("lastIndexCompared", 2_000L);
  }

  @Test
  void theFirstIndexWhereTwoNodesDifferIsReported() {
    DigestChecker c = new DigestChecker();
    c.record(view("n1", 5_000, 0x50L, 3_000, 0x30L, 4_000, 0x40L));
    c.record(view("n3", 5_000, 0x51L, 3_000, 0x31L, 4_000, 0x41L));
    c.record(view("n2", 4_000, 0x40L, 3_000, 0x30L));
    Verdict v = c.check(NO_HISTORY);
    assertThat(v.valid()).isFalse();
    assertThat(v.stats()).containsEntry("firstDivergentIndex", 3_000L).containsEntry("divergentIndexes", 3);
    assertThat(v.anomalies().get(0).kind()).isEqualTo(Anomaly.REPLICA_DIVERGENCE);
    assertThat(v.anomalies().get(0).description())
        .isEqualTo("first divergence at applied index 3000: n1 0000000000000030, n2 0000000000000030, n3 0000000000000031");
  }

  @Test
  void unreachableNodesAndNodesThatNeverShareAnIndexAreNoEvidenceOfAgreement() {
    DigestChecker c = new DigestChecker();
    c.record(NodeView.unreachable("n2", "paused"));
    c.record(view("n1", 10, 0x1L));
    c.record(view("n3", 11, 0x1L));
    Verdict v = c.check(NO_HISTORY);
    assertThat(v.valid()).isFalse();
    assertThat(v.anomalies()).extracting(Anomaly::description)
        .containsExactly("no applied index was sampled on two nodes: nothing compared");
  }

  @Test
  void samplesAreWrittenForReadingBesideTheNodeLogs(@TempDir Path dir) throws Exception {
    DigestChecker c = new DigestChecker();
    c.record(view("n1", 2_000, 0xABCL, 1_000, 0x1L));
    Path file = dir.resolve("digests.tsv");
    c.write(file);
    assertThat(Files.readAllLines(file)).containsExactly("# node\tapplied_index\treplica_digest",
        "n1\t1000\t0000000000000001", "n1\t2000\t0000000000000abc");
  }

  /** A reachable node at {@code applied} with {@code digest}, and checkpoints as index, digest pairs. */
  private static NodeView view(String id, long applied, long digest, long... checkpoints) {
    TreeMap<Long, Long> cps = new TreeMap<>();
    for (int i = 0; i < checkpoints.length; i += 2) {
      cps.put(checkpoints[i], checkpoints[i + 1]);
    }
    return new NodeView(id, true, "FOLLOWER", "n1", 1, applied, applied, 0, 8, 0, 0, 0, 0, 0, 0, false, -1, -1,
        digest, cps, false, "");
  }
}
