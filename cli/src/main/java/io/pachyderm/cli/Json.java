package io.pachyderm.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
    byte[] data = payload.getData().toByteArray();
    try {
      JsonNode tree = MAPPER.readTree(data);
      if (tree != null && !tree.isMissingNode()) {
        return MAPPER.writeValueAsString(tree);
      }
    } catch (IOException notJson) {
      // Fall through: a custom codec's bytes.
    }
    return "base64:" + Base64.getEncoder().encodeToString(data) + " (" + payload.getType() + ", not JSON)";
  }
}
