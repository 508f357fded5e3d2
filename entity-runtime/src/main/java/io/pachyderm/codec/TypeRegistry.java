package io.pachyderm.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The stable names of an entity type's classes. A class is named by its simple name unless
 * registered under an explicit name; a sealed interface registers all its permitted subclasses.
 * Renaming a class keeps old data readable when the old name is added as an alias.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class TypeRegistry {
  private final Map<String, Class<?>> classByName;
  private final Map<Class<?>, String> nameByClass;
  private final Map<Class<?>, Integer> versionByClass;

  private TypeRegistry(Builder b) {
    this.classByName = Collections.unmodifiableMap(new LinkedHashMap<>(b.classByName));
    this.nameByClass = Collections.unmodifiableMap(new LinkedHashMap<>(b.nameByClass));
    this.versionByClass = Collections.unmodifiableMap(new LinkedHashMap<>(b.versionByClass));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The class registered under {@code name}, or null. */
  public Class<?> classOf(String name) {
    return classByName.get(name);
  }

  /** The registered name of {@code type}, or null when it is not registered. */
  public String nameOf(Class<?> type) {
    return nameByClass.get(type);
  }

  /** Current schema version of {@code type} (1 unless raised). */
  public int versionOf(Class<?> type) {
    return versionByClass.getOrDefault(type, 1);
  }

  public boolean isRegistered(Class<?> type) {
    return nameByClass.containsKey(type);
  }

  /** All names, aliases included, in registration order. */
  public List<String> names() {
    return List.copyOf(classByName.keySet());
  }

  /** Collects registrations and rejects clashes at once. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Class<?>> classByName = new LinkedHashMap<>();
    private final Map<Class<?>, String> nameByClass = new LinkedHashMap<>();
    private final Map<Class<?>, Integer> versionByClass = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Registers {@code type} under its simple name; for a sealed interface or class, registers
     * every permitted subclass (recursively) instead. Registering the same class twice is a no-op.
     */
    public Builder register(Class<?> type) {
      Objects.requireNonNull(type, "type");
      if (type.isSealed()) {
        for (Class<?> sub : type.getPermittedSubclasses()) {
          register(sub);
        }
        if (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
          return this;
        }
      }
      if (nameByClass.containsKey(type)) {
        return this;
      }
      return register(type.getSimpleName(), type);
    }

    /** Registers {@code type} under {@code name} (its primary name, used when writing). */
    public Builder register(String name, Class<?> type) {
      requireName(name);
      Objects.requireNonNull(type, "type");
      Class<?> existing = classByName.get(name);
      if (existing != null && existing != type) {
        throw new IllegalArgumentException("type name '" + name + "' is used by both "
            + existing.getName() + " and " + type.getName() + "; register one under another name");
      }
      String previous = nameByClass.get(type);
      if (previous != null && !previous.equals(name)) {
        throw new IllegalArgumentException(type.getName() + " is already registered as '" + previous
            + "'; use alias() for additional names");
      }
      classByName.put(name, type);
      nameByClass.put(type, name);
      return this;
    }

    /** Makes data written under {@code oldName} readable as {@code type} (after a rename). */
    public Builder alias(String oldName, Class<?> type) {
      requireName(oldName);
      Class<?> existing = classByName.get(oldName);
      if (existing != null && existing != type) {
        throw new IllegalArgumentException("alias '" + oldName + "' already names " + existing.getName());
      }
      classByName.put(oldName, type);
      return this;
    }

    /** Declares the current schema version of {@code type} (default 1). */
    public Builder version(Class<?> type, int schemaVersion) {
      if (schemaVersion < 1) {
        throw new IllegalArgumentException("schema version must be >= 1, was " + schemaVersion);
      }
      versionByClass.put(type, schemaVersion);
      return this;
    }

    public TypeRegistry build() {
      List<Class<?>> unnamed = new ArrayList<>();
      for (Class<?> type : versionByClass.keySet()) {
        if (!nameByClass.containsKey(type)) {
          unnamed.add(type);
        }
      }
      if (!unnamed.isEmpty()) {
        throw new IllegalArgumentException("schema versions given for unregistered classes " + unnamed);
      }
      return new TypeRegistry(this);
    }

    private static void requireName(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank() || name.length() > 200) {
        throw new IllegalArgumentException("type name must be 1..200 non-blank characters: '" + name + "'");
      }
    }
  }
}
