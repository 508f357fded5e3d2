package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.node.settings.StateStoreKind;
import org.junit.jupiter.api.Test;

class IdleMemoryTest {
  @Test
  void bytes_per_entity_is_the_heap_growth_over_the_count() {
    IdleMemory.Figure f = new IdleMemory.Figure(StateStoreKind.DISK, 1_000, 50_000_000, 50_600_000);
    assertThat(f.bytesPerEntity()).isEqualTo(600.0);
    assertThat(f.line()).contains("DISK", "600 bytes", "1,000 entities", "50.0 MB empty", "50.6 MB with them");
    assertThatThrownBy(() -> new IdleMemory.Figure(StateStoreKind.HEAP, 0, 1, 2)).hasMessageContaining(">= 1");
  }
}
