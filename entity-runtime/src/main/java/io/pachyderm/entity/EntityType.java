package io.pachyderm.entity;

import io.pachyderm.codec.Codec;
import io.pachyderm.codec.JsonCodec;
import io.pachyderm.codec.JsonUpcaster;
import io.pachyderm.codec.TypeRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An entity implementation registered under a stable type name, with the classes its payloads
 * use. The name, not the Java class name, identifies the entity in the log, so classes can be
 * renamed while the data lives on.
 *
 * <pre>{@code
 * static final EntityType<State, Command, Event> TYPE =
 *     EntityType.builder("counter", new Counter(), State.class, Command.class, Event.class)
 *         .types(ThresholdReached.class)      // effect payloads, custom replies
 *         .query(COUNT)                        // named read-only queries, see Query
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class EntityType<S, C, E> {
  private final String name;
  private final Entity<S, C, E> entity;
  private final Class<S> stateClass;
  private final Class<C> commandClass;
  private final Class<E> eventClass;
  private final Codec codec;
  private final TypeRegistry registry;
  private final Map<String, Query<S, ?, ?>> queries;

  private EntityType(Builder<S, C, E> b, Codec codec, TypeRegistry registry) {
    this.name = b.name;
    this.entity = b.entity;
    this.stateClass = b.stateClass;
    this.commandClass = b.commandClass;
    this.eventClass = b.eventClass;
    this.codec = codec;
    this.registry = registry;
    this.queries = Map.copyOf(b.queries);
  }

  /**
   * Starts a registration. The state, command and event classes (sealed interfaces expand to
   * their permitted records) are registered under their simple names.
   */
  public static <S, C, E> Builder<S, C, E> builder(
      String name, Entity<S, C, E> entity, Class<S> state, Class<C> command, Class<E> event) {
    return new Builder<>(name, entity, state, command, event);
  }

  public String name() {
    return name;
  }

  public Entity<S, C, E> entity() {
    return entity;
  }

  public Class<S> stateClass() {
    return stateClass;
  }

  public Class<C> commandClass() {
    return commandClass;
  }

  public Class<E> eventClass() {
    return eventClass;
  }

  public Codec codec() {
    return codec;
  }

  /** The stable names of this type's classes, as the default codec writes them. */
  public TypeRegistry types() {
    return registry;
  }

  /** The query registered as {@code name}, or null. */
  public Query<S, ?, ?> query(String name) {
    return queries.get(name);
  }

  /** The names of the registered queries, sorted. */
  public List<String> queryNames() {
    return queries.keySet().stream().sorted().toList();
  }

  /** The reference of the entity {@code id} of this type. */
  public EntityRef<S, C> ref(String id) {
    return new EntityRef<>(name, id);
  }

  @Override
  public String toString() {
    return "EntityType[" + name + "]";
  }

  /**
   * The name rule of entity types, queries, timers and ecosystems ({@code EcosystemNames}):
   * {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}, as a loop because every command a leader decides
   * checks its key, and the regex matcher was a visible part of deciding a small command.
   */
  public static boolean isValidName(String name) {
    int n = name.length();
    if (n == 0 || n > 128 || !isLetterOrDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = name.charAt(i);
      if (!isLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  static void requireValidName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (!isValidName(name)) {
      throw new IllegalArgumentException(what + " '" + name
          + "' must be 1..128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  /** Collects the registration; {@link #build()} validates it. Not thread-safe. */
  public static final class Builder<S, C, E> {
    private final String name;
    private final Entity<S, C, E> entity;
    private final Class<S> stateClass;
    private final Class<C> commandClass;
    private final Class<E> eventClass;
    private final TypeRegistry.Builder types = TypeRegistry.builder();
    private final List<Upcast> upcasts = new ArrayList<>();
    private final Map<String, Query<S, ?, ?>> queries = new LinkedHashMap<>();
    private Codec codec;
    private boolean unknownCommandFieldsIgnored;

    private record Upcast(Class<?> type, int fromVersion, JsonUpcaster upcaster) {}

    private Builder(String name, Entity<S, C, E> entity, Class<S> state, Class<C> command, Class<E> event) {
      requireValidName(name, "entity type name");
      this.name = name;
      this.entity = Objects.requireNonNull(entity, "entity");
      this.stateClass = Objects.requireNonNull(state, "state class");
      this.commandClass = Objects.requireNonNull(command, "command class");
      this.eventClass = Objects.requireNonNull(event, "event class");
    }

    /** Registers more payload classes: effect payloads, custom replies. */
    public Builder<S, C, E> types(Class<?>... classes) {
      for (Class<?> c : classes) {
        types.register(c);
      }
      return this;
    }

    /** Registers {@code type} under an explicit stable name instead of its simple name. */
    public Builder<S, C, E> name(String typeName, Class<?> type) {
      types.register(typeName, type);
      return this;
    }

    /** Reads data written under {@code oldName} as {@code type} (after renaming a class). */
    public Builder<S, C, E> alias(String oldName, Class<?> type) {
      types.alias(oldName, type);
      return this;
    }

    /** Declares {@code type}'s current schema version (default 1). */
    public Builder<S, C, E> schemaVersion(Class<?> type, int version) {
      types.version(type, version);
      return this;
    }

    /** With the default JSON codec: rewrites {@code type}'s JSON from {@code fromVersion} to the next. */
    public Builder<S, C, E> upcaster(Class<?> type, int fromVersion, JsonUpcaster upcaster) {
      upcasts.add(new Upcast(type, fromVersion, upcaster));
      return this;
    }

    /**
     * Registers a named read-only query, and its args and result classes as payload classes.
     *
     * @throws IllegalArgumentException if another query of this type has the same name
     */
    public Builder<S, C, E> query(Query<S, ?, ?> query) {
      Objects.requireNonNull(query, "query");
      Query<S, ?, ?> previous = queries.putIfAbsent(query.name(), query);
      if (previous != null) {
        throw new IllegalArgumentException("entity type " + name + " already has a query named '" + query.name()
            + "' (" + previous + "); query names must be unique within an entity type");
      }
      return this;
    }

    /**
     * With the default JSON codec: a command with a JSON field its class does not have is accepted
     * and the field ignored. By default such a command is rejected ({@code UNDECODABLE_PAYLOAD},
     * naming the field), so a misspelt field cannot silently become {@code null}. Events and
     * states are always read leniently (see {@link JsonCodec}).
     */
    public Builder<S, C, E> ignoreUnknownCommandFields() {
      this.unknownCommandFieldsIgnored = true;
      return this;
    }

    /** Replaces the default JSON codec. */
    public Builder<S, C, E> codec(Codec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * The default codec writes a value under the registered name of its own class, so a class that
     * is neither concrete nor sealed (a {@code List}, an open interface) could never be encoded.
     */
    private void requireConcrete(Query<S, ?, ?> q, Class<?> type, String what) {
      boolean open = type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers());
      if (open && !type.isSealed()) {
        throw new IllegalArgumentException("entity type " + name + ", query '" + q.name() + "': the " + what
            + " class " + type.getName() + " is an interface or abstract class the JSON codec cannot name; use a "
            + "record (wrap a list in one) or a sealed interface");
      }
    }

    public EntityType<S, C, E> build() {
      // Registered last so that a class given an explicit name() keeps it, and a clash of simple
      // names inside a hierarchy can be resolved with name() before the hierarchy is expanded.
      types.register(stateClass).register(commandClass).register(eventClass);
      for (Query<S, ?, ?> q : queries.values()) {
        if (codec == null) {
          requireConcrete(q, q.resultClass(), "result");
          requireConcrete(q, q.argsClass(), "args");
        }
        if (q.takesArgs()) {
          types.register(q.argsClass());
        }
        types.register(q.resultClass());
      }
      TypeRegistry registry = types.build();
      Codec chosen = codec;
      if (chosen == null) {
        JsonCodec.Builder json = JsonCodec.builder(registry);
        for (Upcast u : upcasts) {
          json.upcaster(u.type(), u.fromVersion(), u.upcaster());
        }
        if (unknownCommandFieldsIgnored) {
          json.ignoreUnknownCommandFields();
        }
        chosen = json.build();
      } else if (unknownCommandFieldsIgnored) {
        throw new IllegalArgumentException("entity type " + name
            + ": ignoreUnknownCommandFields() applies to the default JSON codec, not to a custom codec");
      } else if (!upcasts.isEmpty()) {
        throw new IllegalArgumentException("entity type " + name
            + ": JSON upcasters were given together with a custom codec; the codec must upcast itself");
      }
      return new EntityType<>(this, chosen, registry);
    }
  }
}
