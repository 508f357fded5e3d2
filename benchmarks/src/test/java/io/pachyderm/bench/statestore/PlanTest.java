package io.pachyderm.bench.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PlanTest {
  private static Plan plan(String... args) {
    StateStoreBenchmark bench = new StateStoreBenchmark();
    new CommandLine(bench).parseArgs(args);
    return bench.plan();
  }

  @Test
  void theFullRunIsTenMillionEntitiesInHalfAGigabyteAndThreeCounts() {
    Plan p = plan();
    assertThat(p.manyEntities()).isEqualTo(10_000_000);
    assertThat(p.counts()).containsExactly(10_000L, 1_000_000L, 10_000_000L);
    assertThat(p.manyHeap()).isEqualTo("512m");
    assertThat(p.callers()).isEqualTo(64);
    assertThat(p.stallSeconds()).isEqualTo(60);
    assertThat(p.snapshotsMin()).isEqualTo(5);
    assertThat(p.stores()).containsExactly(StoreKind.HEAP, StoreKind.DISK);
    assertThat(p.parts()).containsExactlyInAnyOrder("many", "snapshots", "install");
    assertThat(p.latencySecondsMax()).isEqualTo(900);
  }

  @Test
  void quickIsAHundredThousand() {
    Plan p = plan("--quick");
    assertThat(p.manyEntities()).isEqualTo(100_000);
    assertThat(p.counts()).containsExactly(10_000L, 100_000L);
    assertThat(p.latencySecondsMax()).isEqualTo(180);
  }

  @Test
  void entitiesAndCountsTakeSuffixes() {
    Plan p = plan("--quick", "--entities", "2M", "--counts", "10k,1M,250000", "--parts", "many,install");
    assertThat(p.manyEntities()).isEqualTo(2_000_000);
    assertThat(p.counts()).containsExactly(10_000L, 1_000_000L, 250_000L);
    assertThat(p.has("many")).isTrue();
    assertThat(p.has("snapshots")).isFalse();
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> plan("--counts", "10x")).hasMessageContaining("'10x' is not an entity count");
    assertThatThrownBy(() -> plan("--entities", "0")).hasMessageContaining("--entities must be >= 1: 0");
    assertThatThrownBy(() -> plan("--parts", "many,speed")).hasMessageContaining("unknown part 'speed'");
    assertThatThrownBy(() -> plan("--heap", "lots")).hasMessageContaining("--heap 'lots'");
    assertThatThrownBy(() -> plan("--callers", "65")).hasMessageContaining("--callers must be 1..64");
    assertThatThrownBy(() -> plan("--store", "tape")).hasMessageContaining("'tape': not a state store");
    assertThatThrownBy(() -> plan("--stall-seconds", "0")).hasMessageContaining("--stall-seconds");
  }

  @Test
  void countsParseOnTheirOwn() {
    assertThat(Plan.parseCounts(List.of("10_000", " 3K "))).containsExactly(10_000L, 3_000L);
  }
}
