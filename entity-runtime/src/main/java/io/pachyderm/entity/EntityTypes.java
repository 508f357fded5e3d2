package io.pachyderm.entity;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The set of entity types a node serves or a client talks to, by name. Immutable, thread-safe.
 */
public final class EntityTypes {
  private final Map<String, EntityType<?, ?, ?>> byName;

  private EntityTypes(Map<String, EntityType<?, ?, ?>> byName) {
    this.byName = byName;
  }

  public static EntityTypes of(EntityType<?, ?, ?>... types) {
    return of(List.of(types));
  }

  /** @throws IllegalArgumentException if two types share a name */
  public static EntityTypes of(Collection<? extends EntityType<?, ?, ?>> types) {
    Map<String, EntityType<?, ?, ?>> map = new LinkedHashMap<>();
    for (EntityType<?, ?, ?> t : types) {
      Objects.requireNonNull(t, "entity type");
      if (map.putIfAbsent(t.name(), t) != null) {
        throw new IllegalArgumentException("two entity types are named '" + t.name() + "'");
      }
    }
    return new EntityTypes(Map.copyOf(map));
  }

  /** The type registered as {@code name}, or null. */
  public EntityType<?, ?, ?> find(String name) {
    return byName.get(name);
  }

  /** Names in sorted order. */
  public List<String> names() {
    return byName.keySet().stream().sorted().toList();
  }

  /** A new set with {@code more} added. */
  public EntityTypes with(EntityType<?, ?, ?>... more) {
    java.util.ArrayList<EntityType<?, ?, ?>> all = new java.util.ArrayList<>(byName.values());
    all.addAll(List.of(more));
    return of(all);
  }
}
