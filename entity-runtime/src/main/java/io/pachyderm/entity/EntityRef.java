package io.pachyderm.entity;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The address of an entity: its registered type name and its id. Sending a command to a
 * reference is enough to create the entity; it "always exists".
 *
 * <p>The type parameters are phantom: they let the compiler check commands and query results
 * for refs obtained from {@link EntityType#ref}. Two refs are equal when type and id are equal.
 *
 * @param <S> the entity's state type
 * @param <C> the entity's command type
 */
public record EntityRef<S, C>(String type, String id) {
  /** Longest id accepted, in UTF-8 bytes. */
  public static final int ID_BYTES_MAX = 512;

  public EntityRef {
    EntityType.requireValidName(type, "entity type");
    Objects.requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("entity id must not be empty (type " + type + ")");
    }
    if (id.getBytes(StandardCharsets.UTF_8).length > ID_BYTES_MAX) {
      throw new IllegalArgumentException(
          "entity id longer than " + ID_BYTES_MAX + " bytes (type " + type + ")");
    }
  }

  /** An untyped reference, for tools that do not know the entity's classes. */
  public static EntityRef<Object, Object> of(String type, String id) {
    return new EntityRef<>(type, id);
  }

  @Override
  public String toString() {
    return type + "/" + id;
  }
}
