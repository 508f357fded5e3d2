package io.pachyderm.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pachyderm.protocol.Payload;
import java.io.IOException;
import java.util.Base64;

/**
 * JSON as the launcher's user-facing payload format. The default codec writes JSON, so a payload
 * from the cluster is shown as compact JSON; anything else (a custom codec) as base64.
 */
final class Json {
  /** Strict: "{} x" is a typo, not "{}" followed by ignorable text. */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /** The bytes of {@code text} re-written compactly. @throws IllegalArgumentException saying where it is wrong */
  static byte[] compact(String text) {
    try {
      JsonNode tree = MAPPER.readTree(text);
      if (tree == null || tree.isMissingNode()) {
        throw new IllegalArgumentException("empty");
      }
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      // Jackson appends "(start marker at [Source: REDACTED ...])" for unclosed objects: noise here.
      String message = e.getOriginalMessage();
      int marker = message.indexOf(" (start marker at");
      throw new IllegalArgumentException(PachydermCli.oneLine(marker < 0 ? message : message.substring(0, marker))
          + where);
    }
  }

  /** The payload's data as compact JSON, or {@code base64:...} when it is not JSON. */
  static String render(Payload payload) {
    JsonNode tree = treeOrNull(payload);
    if (tree != null) {
      return write(tree);
    }
    return base64(payload) + " (" + payload.getType() + ", not JSON)";
  }

  /** The payload's data as a JSON tree, or a string {@code base64:...} when it is not JSON. */
  static JsonNode tree(Payload payload) {
    JsonNode tree = treeOrNull(payload);
    return tree != null ? tree : MAPPER.getNodeFactory().textNode(base64(payload));
  }

  /** An empty JSON object to fill. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** {@code node} as compact JSON. */
  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      // A tree of plain nodes always serializes; failing here is a bug, not input.
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode treeOrNull(Payload payload) {
    try {
      JsonNode tree = MAPPER.readTree(payload.getData().toByteArray());
      if (tree != null && !tree.isMissingNode()) {
        return tree;
      }
    } catch (IOException notJson) {
      // A custom codec's bytes.
    }
    return null;
  }

  private static String base64(Payload payload) {
    return "base64:" + Base64.getEncoder().encodeToString(payload.getData().toByteArray());
  }
}
