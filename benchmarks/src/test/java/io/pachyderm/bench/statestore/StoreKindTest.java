package io.pachyderm.bench.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreKindTest {
  @Test
  void bothStoresAreAcceptedInAnyCaseAndNameTheNodesKinds() {
    assertThat(StoreKind.parse("heap")).isEqualTo(StoreKind.HEAP);
    assertThat(StoreKind.parse(" DISK ")).isEqualTo(StoreKind.DISK);
    assertThat(StoreKind.available()).containsExactly(StoreKind.HEAP, StoreKind.DISK);
    assertThat(StoreKind.HEAP.nodeKind()).isEqualTo(StateStoreKind.HEAP);
    assertThat(StoreKind.DISK.nodeKind()).isEqualTo(StateStoreKind.DISK);
    assertThat(StoreKind.parseList(List.of("heap", "disk"))).containsExactly(StoreKind.HEAP, StoreKind.DISK);
  }

  @Test
  void configuringABuilderReturnsThatBuilder() {
    LocalPachyderm.Builder builder = LocalPachyderm.builder(Path.of("unused"));
    assertThat(StoreKind.DISK.configure(builder)).isSameAs(builder);
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
