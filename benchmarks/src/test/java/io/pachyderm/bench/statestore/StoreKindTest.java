package io.pachyderm.bench.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreKindTest {
  @Test
  void heapIsAcceptedInAnyCaseAndIsTheOnlyStoreOfThisBuild() {
    assertThat(StoreKind.parse("heap")).isEqualTo(StoreKind.HEAP);
    assertThat(StoreKind.parse(" HEAP ")).isEqualTo(StoreKind.HEAP);
    assertThat(StoreKind.available()).containsExactly(StoreKind.HEAP);
  }

  @Test
  void diskIsRefusedWithAMessageSayingThisBuildHasNoDiskStore() {
    assertThatThrownBy(() -> StoreKind.parse("disk"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--store disk")
        .hasMessageContaining("this build has no disk state store");
    assertThatThrownBy(() -> StoreKind.parseList(List.of("heap", "disk")))
        .hasMessageContaining("this build has no disk state store");
  }

  @Test
  void configuringANodeWithTheDiskStoreIsRefusedToo() {
    LocalPachyderm.Builder builder = LocalPachyderm.builder(Path.of("unused"));
    assertThatThrownBy(() -> StoreKind.DISK.configure(builder))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("this build has no disk state store");
    assertThat(StoreKind.HEAP.configure(builder)).isSameAs(builder);
  }

  @Test
  void anUnknownStoreIsNamedInTheError() {
    assertThatThrownBy(() -> StoreKind.parse("rocks"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'rocks'")
        .hasMessageContaining("expected heap or disk");
    assertThatThrownBy(() -> StoreKind.parseList(List.of()))
        .hasMessageContaining("names no state store");
  }

  @Test
  void aListKeepsItsOrderAndDropsRepeats() {
    assertThat(StoreKind.parseList(List.of("heap", "HEAP"))).containsExactly(StoreKind.HEAP);
  }
}
