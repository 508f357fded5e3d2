package io.pachyderm.runtime;

import io.pachyderm.api.EcosystemNames;
import java.util.Comparator;
import java.util.Objects;

/** An entity's identity across ecosystems: ecosystem, type name, id. Ordered for deterministic iteration. */
public record EntityKey(String ecosystem, String type, String id) implements Comparable<EntityKey> {
  private static final Comparator<EntityKey> ORDER = Comparator.comparing(EntityKey::ecosystem)
      .thenComparing(EntityKey::type)
      .thenComparing(EntityKey::id);

  public EntityKey {
    Objects.requireNonNull(ecosystem, "ecosystem");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
  }

  /**
   * {@link EcosystemNames#requireValid}, kept here for the callers that validate a key's ecosystem.
   *
   * @throws IllegalArgumentException naming the rule when {@code name} is not a valid ecosystem name
   */
  public static String requireValidEcosystem(String name) {
    return EcosystemNames.requireValid(name);
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
