package io.pachyderm.chaos.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of an {@link Op}: one object with the record's field names, {@code type} as the
 * enum name, {@code value} as a JSON number, array of numbers or null. Written by hand rather than
 * by data binding so that the format is explicit and does not change with a Jackson upgrade.
 */
final class OpJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private OpJson() {}

  static String toLine(Op op) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("index", op.index());
    node.put("process", op.process());
    node.put("type", op.type().name());
    node.put("f", op.f());
    node.put("key", op.key());
    Object value = op.value();
    if (value == null) {
      node.putNull("value");
    } else if (value instanceof Long number) {
      node.put("value", number);
    } else {
      ArrayNode array = node.putArray("value");
      for (Long element : op.listValue()) {
        array.add(element);
      }
    }
    node.put("timeNs", op.timeNs());
    node.put("node", op.node());
    node.put("error", op.error());
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + op, e);
    }
  }

  /** Parses one line; throws {@link IllegalArgumentException} on anything malformed. */
  static Op fromLine(String line) {
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return new Op(
        required(node, "index").asLong(),
        required(node, "process").asInt(),
        OpType.valueOf(required(node, "type").asText()),
        required(node, "f").asText(),
        text(node, "key"),
        value(node.get("value")),
        required(node, "timeNs").asLong(),
        text(node, "node"),
        text(node, "error"));
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static Object value(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isArray()) {
      List<Long> list = new ArrayList<>(value.size());
      for (JsonNode element : value) {
        if (!element.isIntegralNumber()) {
          throw new IllegalArgumentException("value array holds a non-integer: " + value);
        }
        list.add(element.asLong());
      }
      return list;
    }
    throw new IllegalArgumentException("value must be an integer, an array or null: " + value);
  }
}
