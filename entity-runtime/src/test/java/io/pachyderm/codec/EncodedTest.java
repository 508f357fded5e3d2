package io.pachyderm.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EncodedTest {

  @Test
  void encodedValuesAreEqualByContentNotByArrayIdentity() {
    Encoded a = new Encoded("Deposited", 2, "{\"amount\":5}".getBytes(StandardCharsets.UTF_8));
    Encoded b = new Encoded("Deposited", 2, "{\"amount\":5}".getBytes(StandardCharsets.UTF_8));

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new Encoded("Deposited", 1, a.data()));
    assertThat(a).isNotEqualTo(new Encoded("Withdrawn", 2, a.data()));
    assertThat(a).isNotEqualTo(new Encoded("Deposited", 2, "{\"amount\":6}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aSchemaVersionBelowOneIsRefused() {
    assertThatThrownBy(() -> new Encoded("Deposited", 0, new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }

  @Test
  void toStringShowsTypeVersionAndAtMost200CharactersOfTheBody() {
    Encoded e = new Encoded("Blob", 3, "x".repeat(1000).getBytes(StandardCharsets.UTF_8));

    assertThat(e.toString()).startsWith("Blob@v3 xxx").endsWith("...").hasSize("Blob@v3 ".length() + 200 + 3);
  }
}
