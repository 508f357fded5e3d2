package io.pachyderm.examples.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.EntityType;

/** Checks that values survive their entity type's codec: what the log and snapshots would hold. */
public final class Codecs {
  private Codecs() {}

  /** Encodes and decodes each value with {@code type}'s codec and asserts it comes back equal. */
  public static void assertRoundTrips(EntityType<?, ?, ?> type, Object... values) {
    for (Object value : values) {
      Object back = type.codec().decode(type.codec().encode(value));
      assertThat(back).as("%s through the codec of %s", value, type.name()).isEqualTo(value);
    }
  }
}
