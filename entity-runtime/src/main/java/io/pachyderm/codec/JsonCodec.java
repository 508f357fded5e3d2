package io.pachyderm.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The default codec: JSON through Jackson, for records, enums and plain value classes.
 *
 * <p>Schema evolution: a class's current version comes from the {@link TypeRegistry}; data written
 * at an older version is passed through the registered {@link JsonUpcaster}s, one version step at a
 * time, before it is bound. Unknown JSON fields are ignored (so removing a field needs no
 * upcaster) and missing fields take Java defaults.
 *
 * <p>Commands are the exception ({@link #decodeCommand}): by default a command with a field its
 * class does not have is rejected, naming the field and the class, because a command is new input
 * and a misspelt field would otherwise silently become {@code null} or 0. Events and states stay
 * lenient: they are already in journals and snapshots, written by code that may have had fields
 * this code removed, and refusing to read them would make a node unable to start. A command
 * stored before an upgrade (a timer, a message between entities) is read as a command: when a
 * command field is removed, raise the class's schema version with an upcaster that drops it, or
 * opt the type out ({@code EntityType.Builder.ignoreUnknownCommandFields()}). Properties are written in sorted order so
 * equal values give equal bytes.
 *
 * <p>Thread-safe once built.
 */
public final class JsonCodec implements Codec {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
      .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
      .findAndAddModules()
      .build();

  private final TypeRegistry types;
  private final Map<String, JsonUpcaster> upcasters;
  /** Whether {@link #decodeCommand} refuses unknown fields (the default). */
  private final boolean commandsStrict;

  private JsonCodec(TypeRegistry types, Map<String, JsonUpcaster> upcasters, boolean commandsStrict) {
    this.types = types;
    this.upcasters = Map.copyOf(upcasters);
    this.commandsStrict = commandsStrict;
  }

  public static JsonCodec of(TypeRegistry types) {
    return new JsonCodec(types, Map.of(), true);
  }

  public static Builder builder(TypeRegistry types) {
    return new Builder(types);
  }

  /** The mapper used for payloads, shared so tools can render payloads the same way. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  @Override
  public Encoded encode(Object value) {
    Objects.requireNonNull(value, "value");
    String name = types.nameOf(value.getClass());
    if (name == null) {
      throw new CodecException("cannot encode " + value.getClass().getName()
          + ": the class is not registered with this entity type (add it with types(...))");
    }
    try {
      return new Encoded(name, types.versionOf(value.getClass()), MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new CodecException("cannot encode " + name + ": " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public Object decode(Encoded encoded) {
    return decode(encoded, false);
  }

  /** Like {@link #decode}, but a field the class does not have is an error (unless opted out). */
  @Override
  public Object decodeCommand(Encoded encoded) {
    return decode(encoded, commandsStrict);
  }

  private Object decode(Encoded encoded, boolean unknownFieldsFail) {
    Class<?> type = types.classOf(encoded.type());
    if (type == null) {
      throw new CodecException("unknown type '" + encoded.type() + "' (schema version "
          + encoded.schemaVersion() + "); registered types are " + types.names());
    }
    int current = types.versionOf(type);
    int written = encoded.schemaVersion();
    if (written > current) {
      throw new CodecException("cannot decode " + encoded.type() + " schema version " + written
          + ": this code knows versions up to " + current);
    }
    try {
      ObjectReader reader = MAPPER.readerFor(type);
      if (unknownFieldsFail) {
        reader = reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
      }
      if (written == current) {
        return requireValue(reader.readValue(encoded.data()), encoded);
      }
      JsonNode tree = MAPPER.readTree(encoded.data());
      if (!(tree instanceof ObjectNode node)) {
        throw new CodecException("cannot upcast " + encoded.type() + " v" + written + ": not a JSON object");
      }
      for (int v = written; v < current; v++) {
        JsonUpcaster step = upcasters.get(key(encoded.type(), v));
        if (step == null) {
          step = upcasters.get(key(types.nameOf(type), v));
        }
        if (step == null) {
          throw new CodecException("cannot decode " + encoded.type() + " schema version " + written
              + ": no upcaster from version " + v + " to " + (v + 1));
        }
        node = step.upcast(node);
      }
      return requireValue(reader.readValue(node), encoded);
    } catch (UnrecognizedPropertyException e) {
      throw new CodecException("cannot decode command " + encoded.type() + " schema version " + written
          + ": unknown field '" + e.getPropertyName() + "' (class " + type.getName() + " has "
          + e.getKnownPropertyIds() + "); fix the field name, or opt the entity type out with "
          + "ignoreUnknownCommandFields()", e);
    } catch (IOException e) {
      throw new CodecException("cannot decode " + encoded.type() + " schema version " + written + ": "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
    }
  }

  /** Jackson binds a JSON {@code null} to a null value; callers are promised a value or an exception. */
  private static Object requireValue(Object value, Encoded encoded) {
    if (value == null) {
      throw new CodecException("cannot decode " + encoded.type() + " schema version " + encoded.schemaVersion()
          + ": the JSON is null");
    }
    return value;
  }

  private static String key(String name, int fromVersion) {
    return name + "@" + fromVersion;
  }

  /** Registers upcasters. Not thread-safe. */
  public static final class Builder {
    private final TypeRegistry types;
    private final Map<String, JsonUpcaster> upcasters = new HashMap<>();
    private boolean commandsStrict = true;

    private Builder(TypeRegistry types) {
      this.types = Objects.requireNonNull(types, "types");
    }

    /** Upcasts JSON of {@code type} written at {@code fromVersion} to {@code fromVersion + 1}. */
    public Builder upcaster(Class<?> type, int fromVersion, JsonUpcaster upcaster) {
      String name = types.nameOf(type);
      if (name == null) {
        throw new IllegalArgumentException("upcaster for unregistered class " + type.getName());
      }
      if (fromVersion < 1 || fromVersion >= types.versionOf(type)) {
        throw new IllegalArgumentException("upcaster for " + name + " from version " + fromVersion
            + " is outside 1.." + (types.versionOf(type) - 1));
      }
      if (upcasters.putIfAbsent(key(name, fromVersion), Objects.requireNonNull(upcaster)) != null) {
        throw new IllegalArgumentException("two upcasters for " + name + " from version " + fromVersion);
      }
      return this;
    }

    /**
     * Reads commands like events: unknown fields are ignored instead of rejected. For a type whose
     * clients send fields this code does not know on purpose (a newer client, a shared schema).
     */
    public Builder ignoreUnknownCommandFields() {
      this.commandsStrict = false;
      return this;
    }

    public JsonCodec build() {
      return new JsonCodec(types, upcasters, commandsStrict);
    }
  }
}
