package io.pachyderm.chaos.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FinalReadsTest {
  /**
   * Three nodes holding one counter. A write whose client gave up lands while the first round is
   * being read: n1 has already been read at 50 when every node applies it (51). That round
   * straddled a commit; the reads kept must all be the second round's, at the new index.
   */
  @Test
  void aWriteLandingBetweenTwoNodesReadsIsNotKeptAsAFinalRead() throws InterruptedException {
    FakeCluster cluster = new FakeCluster(3, 1008, 50);
    cluster.landLateWriteAfterReads = 1;
    FinalReads.Outcome outcome = FinalReads.take(cluster, FinalReads.ROUNDS_MAX, Duration.ofSeconds(1));

    assertThat(outcome.rounds()).isEqualTo(2);
    assertThat(outcome.appliedIndex()).isEqualTo(1009);
    assertThat(outcome.round().reads()).extracting(FinalReads.Read::value).containsOnly(51L);
    assertThat(outcome.round().reads()).extracting(FinalReads.Read::node).containsExactly("n1", "n2", "n3");
    assertThat(outcome.describe()).contains("at applied index 1009");
  }

  @Test
  void aQuietClusterIsReadOnce() throws InterruptedException {
    FakeCluster cluster = new FakeCluster(3, 7, 3);
    FinalReads.Outcome outcome = FinalReads.take(cluster, FinalReads.ROUNDS_MAX, Duration.ofSeconds(1));

    assertThat(outcome.rounds()).isEqualTo(1);
    assertThat(outcome.appliedIndex()).isEqualTo(7);
    assertThat(cluster.roundsRead).isEqualTo(1);
  }

  /** A cluster that applies an entry during every round never gives one index: the last round is kept, and said so. */
  @Test
  void aClusterThatNeverGoesQuietKeepsTheLastRoundAndSaysSo() throws InterruptedException {
    FakeCluster cluster = new FakeCluster(3, 100, 0);
    cluster.landLateWriteAfterReads = 2;
    cluster.everyRound = true;
    FinalReads.Outcome outcome = FinalReads.take(cluster, 3, Duration.ZERO);

    assertThat(outcome.appliedIndex()).isEqualTo(-1);
    assertThat(outcome.rounds()).isEqualTo(3);
    assertThat(cluster.roundsRead).isEqualTo(3);
    assertThat(outcome.round().reads()).hasSize(3);
    assertThat(outcome.describe()).contains("not at one applied index after 3 rounds");
  }

  @Test
  void anIndexIsCommonOnlyWhenEveryNodeReportsTheSameOne() {
    assertThat(FinalReads.commonIndex(List.of(5L, 5L, 5L), 3)).isEqualTo(5);
    assertThat(FinalReads.commonIndex(List.of(5L, 5L), 3)).isEqualTo(-1);
    assertThat(FinalReads.commonIndex(List.of(5L, 6L, 5L), 3)).isEqualTo(-1);
    assertThat(FinalReads.commonIndex(List.of(), 0)).isEqualTo(-1);
  }

  @Test
  void atLeastOneRoundIsAsked() {
    assertThatThrownBy(() -> FinalReads.take(new FakeCluster(1, 1, 1), 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roundsMax");
  }

  /** Nodes that all apply every entry at once; a late write can be set to land after some node's read. */
  private static final class FakeCluster implements FinalReads.Nodes {
    private final int nodes;
    private long appliedIndex;
    private long value;
    int landLateWriteAfterReads = -1;
    boolean everyRound;
    int roundsRead;

    FakeCluster(int nodes, long appliedIndex, long value) {
      this.nodes = nodes;
      this.appliedIndex = appliedIndex;
      this.value = value;
    }

    @Override
    public int count() {
      return nodes;
    }

    @Override
    public Map<String, Long> appliedIndexes() {
      Map<String, Long> indexes = new TreeMap<>();
      for (int i = 1; i <= nodes; i++) {
        indexes.put("n" + i, appliedIndex);
      }
      return indexes;
    }

    @Override
    public FinalReads.Round readAll() {
      roundsRead++;
      List<FinalReads.Read> reads = new ArrayList<>();
      for (int i = 1; i <= nodes; i++) {
        reads.add(new FinalReads.Read("n" + i, "c", value));
        if (i == landLateWriteAfterReads && (everyRound || roundsRead == 1)) {
          appliedIndex++;
          value++;
        }
      }
      return new FinalReads.Round(reads, List.of());
    }
  }
}
