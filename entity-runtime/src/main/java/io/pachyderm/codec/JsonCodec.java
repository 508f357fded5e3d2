package io.pachyderm.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
 * upcaster) and missing fields take Java defaults. Properties are written in sorted order so
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

  private JsonCodec(TypeRegistry types, Map<String, JsonUpcaster> upcasters) {
    this.types = types;
    this.upcasters = Map.copyOf(upcasters);
  }

  public static JsonCodec of(TypeRegistry types) {
    return new JsonCodec(types, Map.of());
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
      if (written == current) {
        return requireValue(MAPPER.readValue(encoded.data(), type), encoded);
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
      return requireValue(MAPPER.treeToValue(node, type), encoded);
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

    public JsonCodec build() {
      return new JsonCodec(types, upcasters);
    }
  }
}
