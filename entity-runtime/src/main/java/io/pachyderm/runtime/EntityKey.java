package io.pachyderm.runtime;

import java.util.Comparator;
import java.util.Objects;
import java.util.regex.Pattern;

/** An entity's identity across ecosystems: ecosystem, type name, id. Ordered for deterministic iteration. */
public record EntityKey(String ecosystem, String type, String id) implements Comparable<EntityKey> {
  private static final Pattern ECOSYSTEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Comparator<EntityKey> ORDER = Comparator.comparing(EntityKey::ecosystem)
      .thenComparing(EntityKey::type)
      .thenComparing(EntityKey::id);

  public EntityKey {
    Objects.requireNonNull(ecosystem, "ecosystem");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
  }

  /** @throws IllegalArgumentException naming the rule when {@code name} is not a valid ecosystem name */
  public static String requireValidEcosystem(String name) {
    if (name == null || !ECOSYSTEM.matcher(name).matches()) {
      throw new IllegalArgumentException("ecosystem name '" + name
          + "' must be 1..128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  @Override
  public int compareTo(EntityKey o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return ecosystem + ":" + type + "/" + id;
  }
}
