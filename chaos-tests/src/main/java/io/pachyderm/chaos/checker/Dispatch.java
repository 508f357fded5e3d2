package io.pachyderm.chaos.checker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * One effect dispatch, as a node logs it at the moment it hands the effect to the outside world.
 *
 * <p>JSON lines form (one object per line): {@code {"node":"n1","term":3,"logIndex":42,
 * "idempotencyKey":"r1/7/42"}}; an attempt of an at-least-once effect adds {@code "effect"},
 * {@code "attempt"}, {@code "ok"}, {@code "nodeTerm"}, {@code "leader"} and {@code "atMs"}. Node processes append
 * with {@link #appendTo} (or write {@link #toJsonLine()} themselves, one line per dispatch,
 * flushed); the harness collects every node's file with {@link #readAll}. A node killed mid-write
 * leaves at most one truncated last line, which reading ignores.
 *
 * @param node id of the node that dispatched
 * @param term the Raft term of the entry that produced the effect ({@code EffectContext} term)
 * @param logIndex the log index of that entry
 * @param idempotencyKey the stable key of the effect, {@code (ref, version, index)} rendered as
 *     a string
 * @param effect the effect's identity as its payload tells it, independent of the idempotency key
 *     (at-least-once attempts); null when not logged
 * @param attempt which attempt of this effect this was on this node, from 1; 0 when not logged
 * @param ok whether the handler returned normally (false: it threw, and the attempt failed)
 * @param nodeTerm the node's current Raft term when it dispatched; 0 when not logged
 * @param leader whether the node was leader of {@code nodeTerm} when it dispatched; meaningful
 *     only when {@code nodeTerm > 0}
 * @param atMs the node's wall clock when it dispatched, in epoch milliseconds (to line attempts up
 *     with node logs, which use the same clock); 0 when not logged
 */
public record Dispatch(String node, long term, long logIndex, String idempotencyKey, String effect, int attempt,
                       boolean ok, long nodeTerm, boolean leader, long atMs) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public Dispatch {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    if (attempt < 0 || nodeTerm < 0) {
      throw new IllegalArgumentException("attempt and nodeTerm must be >= 0: " + attempt + ", " + nodeTerm);
    }
  }

  /** A successful dispatch that logs no attempt details (an at-most-once effect). */
  public Dispatch(String node, long term, long logIndex, String idempotencyKey) {
    this(node, term, logIndex, idempotencyKey, null, 0, true, 0, false, 0);
  }

  /** One attempt of an at-least-once effect. */
  public static Dispatch attempt(String node, long term, long logIndex, String idempotencyKey, String effect,
                                 int attempt, boolean ok, long nodeTerm, boolean leader, long atMs) {
    return new Dispatch(node, term, logIndex, idempotencyKey, Objects.requireNonNull(effect, "effect"), attempt, ok,
        nodeTerm, leader, atMs);
  }

  /** What identifies the effect: {@link #effect} when logged, else the idempotency key. */
  public String effectId() {
    return effect != null ? effect : idempotencyKey;
  }

  /**
   * The term the dispatching node was in: {@link #nodeTerm} when logged, else the entry's term
   * (the same for at-most-once effects, which only the leader that appended the entry dispatches).
   */
  public long dispatchTerm() {
    return nodeTerm > 0 ? nodeTerm : term;
  }

  public String toJsonLine() {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("node", node);
    json.put("term", term);
    json.put("logIndex", logIndex);
    json.put("idempotencyKey", idempotencyKey);
    if (effect != null) {
      json.put("effect", effect);
      json.put("attempt", attempt);
      json.put("ok", ok);
      json.put("nodeTerm", nodeTerm);
      json.put("leader", leader);
      json.put("atMs", atMs);
    }
    try {
      return MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + this, e);
    }
  }

  /** @throws IllegalArgumentException if the line is not a dispatch object */
  public static Dispatch fromJsonLine(String line) {
    JsonNode json;
    try {
      json = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + line);
    }
    for (String field : List.of("node", "term", "logIndex", "idempotencyKey")) {
      if (!json.hasNonNull(field)) {
        throw new IllegalArgumentException("missing field '" + field + "': " + line);
      }
    }
    String node = json.get("node").asText();
    long term = json.get("term").asLong();
    long logIndex = json.get("logIndex").asLong();
    String key = json.get("idempotencyKey").asText();
    if (!json.hasNonNull("effect")) {
      return new Dispatch(node, term, logIndex, key);
    }
    for (String field : List.of("attempt", "ok", "nodeTerm", "leader", "atMs")) {
      if (!json.hasNonNull(field)) {
        throw new IllegalArgumentException("an attempt misses field '" + field + "': " + line);
      }
    }
    return attempt(node, term, logIndex, key, json.get("effect").asText(), json.get("attempt").asInt(),
        json.get("ok").asBoolean(), json.get("nodeTerm").asLong(), json.get("leader").asBoolean(),
        json.get("atMs").asLong());
  }

  /** Appends this dispatch as one line to {@code jsonl} (created if missing), flushed. */
  public void appendTo(Path jsonl) {
    try (BufferedWriter out = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
      out.write(toJsonLine());
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append dispatch to " + jsonl, e);
    }
  }

  /**
   * Reads one dispatch log. A missing file is an empty log (the node never dispatched); a
   * malformed last line is ignored (the node was killed mid-write); any other malformed line is
   * an error.
   */
  public static List<Dispatch> read(Path jsonl) {
    if (!Files.exists(jsonl)) {
      return List.of();
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dispatch log " + jsonl, e);
    }
    List<Dispatch> dispatches = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        dispatches.add(fromJsonLine(lines.get(i)));
      } catch (IllegalArgumentException e) {
        if (i == lines.size() - 1) {
          break;
        }
        throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return dispatches;
  }

  /** Reads several dispatch logs (one per node) into one list, in the order given. */
  public static List<Dispatch> readAll(Collection<Path> jsonlFiles) {
    List<Dispatch> all = new ArrayList<>();
    for (Path file : jsonlFiles) {
      all.addAll(read(file));
    }
    return all;
  }

  /** Writes dispatches as JSON lines, replacing the file. */
  public static void write(Path jsonl, List<Dispatch> dispatches) {
    try (BufferedWriter out = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
      for (Dispatch dispatch : dispatches) {
        out.write(dispatch.toJsonLine());
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write dispatch log " + jsonl, e);
    }
  }
}
