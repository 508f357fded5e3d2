package io.pachyderm.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An encoded user value: its registered type name, the schema version it was written with, and
 * the codec's bytes. Equality is by content.
 */
public record Encoded(String type, int schemaVersion, byte[] data) {
  public Encoded {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (schemaVersion < 1) {
      throw new IllegalArgumentException("schema version must be >= 1, was " + schemaVersion);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Encoded e
        && e.schemaVersion == schemaVersion
        && e.type.equals(type)
        && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, schemaVersion, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    String body = new String(data, StandardCharsets.UTF_8);
    if (body.length() > 200) {
      body = body.substring(0, 200) + "...";
    }
    return type + "@v" + schemaVersion + " " + body;
  }
}
