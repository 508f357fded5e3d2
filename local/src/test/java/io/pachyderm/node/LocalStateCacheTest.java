package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local ecosystem's state store settings: the disk store by default, its cache bounds checked when set. */
class LocalStateCacheTest {
  @TempDir
  Path dir;

  @Test
  void badCacheBoundsAreRefusedWhenSetNamingTheSetting() {
    LocalPachyderm.Builder b = LocalPachyderm.builder(dir);
    assertThatThrownBy(() -> b.stateCacheBytesMax(-5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateCacheBytesMax must be >= 0").hasMessageContaining("-5");
    assertThatThrownBy(() -> b.passivateAfter(Duration.ofNanos(10))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passivateAfter must be at least 1 ms");
  }

  @Test
  void theDefaultIsTheDiskStoreAndATinyCacheStillServesEveryEntity() throws Exception {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestDocument.TYPES)
        .stateCacheBytesMax(0).passivateAfter(Duration.ofSeconds(1)).open()) {
      for (int d = 0; d < 20; d++) {
        local.call(TestDocument.TYPE.ref("doc-" + d), new TestDocument.Append("p" + d));
      }
      for (int d = 0; d < 20; d++) {
        assertThat(local.query(TestDocument.TYPE.ref("doc-" + d)).state().pages()).containsExactly("p" + d);
      }
    }
    assertThat(Files.isDirectory(dir.resolve("state"))).as("the disk store's directory").isTrue();
  }
}
