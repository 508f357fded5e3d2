package io.pachyderm.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EntityRefTest {

  @Test
  void refsWithEqualTypeAndIdAreEqualAndPrintAsTypeSlashId() {
    EntityRef<Object, Object> ref = EntityRef.of("account", "alice");

    assertThat(ref).isEqualTo(EntityRef.of("account", "alice"));
    assertThat(ref).isNotEqualTo(EntityRef.of("account", "bob"));
    assertThat(ref).isNotEqualTo(EntityRef.of("ledger", "alice"));
    assertThat(ref.toString()).isEqualTo("account/alice");
  }

  @Test
  void anEmptyIdIsRefusedNamingTheType() {
    assertThatThrownBy(() -> EntityRef.of("account", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be empty")
        .hasMessageContaining("account");
  }

  @Test
  void aNullIdIsRefused() {
    assertThatThrownBy(() -> EntityRef.of("account", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void anIdOfExactly512Utf8BytesIsAccepted() {
    String ascii = "x".repeat(EntityRef.ID_BYTES_MAX);
    String twoByteChars = "é".repeat(EntityRef.ID_BYTES_MAX / 2);

    assertThat(EntityRef.of("account", ascii).id()).isEqualTo(ascii);
    assertThat(EntityRef.of("account", twoByteChars).id()).isEqualTo(twoByteChars);
  }

  @Test
  void anIdOverTheByteLimitIsRefusedEvenWhenItHasFewerCharacters() {
    String ascii = "x".repeat(EntityRef.ID_BYTES_MAX + 1);
    // 257 characters but 514 UTF-8 bytes: the limit counts bytes, not chars.
    String twoByteChars = "é".repeat(EntityRef.ID_BYTES_MAX / 2 + 1);
    assertThat(twoByteChars.length()).isLessThan(EntityRef.ID_BYTES_MAX);
    assertThat(twoByteChars.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(EntityRef.ID_BYTES_MAX);

    assertThatThrownBy(() -> EntityRef.of("account", ascii))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512 bytes");
    assertThatThrownBy(() -> EntityRef.of("account", twoByteChars))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512 bytes");
  }

  @Test
  void aBadTypeNameIsRefusedWithTheRule() {
    for (String type : new String[] {"", "-account", "my account", "a/b", "a".repeat(129)}) {
      assertThatThrownBy(() -> EntityRef.of(type, "alice"))
          .as(type)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("entity type '" + type + "'");
    }
    assertThatThrownBy(() -> EntityRef.of(null, "alice")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void idsMayHoldAnyCharactersIncludingSlashesAndSpaces() {
    assertThat(EntityRef.of("account", "eu/alice smith#1").id()).isEqualTo("eu/alice smith#1");
  }
}
