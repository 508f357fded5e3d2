package io.pachyderm.chaos.history;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable history: ops in strictly increasing index order, validated on construction.
 *
 * <p>Well-formedness, checked by {@link #of}: indexes strictly increase; a completion follows an
 * outstanding invocation of the same process with the same {@code f} and {@code key}; a process
 * never has two outstanding invocations. An invocation may lack a completion (the run ended or
 * crashed); {@link #pairs()} then reports it with a null completion, which checkers treat as
 * {@code INFO}.
 *
 * <p>Thread-safe (immutable).
 */
public final class History {
  private final List<Op> ops;
  private final List<OpPair> pairs;

  private History(List<Op> ops) {
    this.ops = Collections.unmodifiableList(new ArrayList<>(ops));
    this.pairs = Collections.unmodifiableList(pair(this.ops));
  }

  /**
   * Returns a history of these ops, which must already be in increasing index order.
   *
   * @throws IllegalArgumentException if the ops are not a well-formed history (see class doc)
   */
  public static History of(List<Op> ops) {
    Objects.requireNonNull(ops, "ops");
    return new History(ops);
  }

  /** All ops, in index order. */
  public List<Op> ops() {
    return ops;
  }

  public int size() {
    return ops.size();
  }

  /**
   * Every invocation with its completion (null when none was recorded), in invocation order.
   */
  public List<OpPair> pairs() {
    return pairs;
  }

  /**
   * The sub-history of each key, keys in sorted order (P-compositionality: linearizability of
   * each entity can be checked on its own). Final reads appear under the key they read. Ops with
   * a null key are left out.
   */
  public Map<String, History> byKey() {
    Map<String, List<Op>> grouped = new TreeMap<>();
    for (Op op : ops) {
      if (op.key() != null) {
        grouped.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    Map<String, History> result = new LinkedHashMap<>();
    for (Map.Entry<String, List<Op>> entry : grouped.entrySet()) {
      result.put(entry.getKey(), new History(entry.getValue()));
    }
    return Collections.unmodifiableMap(result);
  }

  /**
   * Reads a JSON lines file written by {@link #write} or {@link HistoryRecorder}. A malformed
   * last line is ignored, because a run killed mid-write leaves one; a malformed line anywhere
   * else is an error.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if a line other than the last is malformed, or the ops are
   *     not a well-formed history
   */
  public static History read(Path jsonl) {
    List<String> lines;
    try {
      lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read history " + jsonl, e);
    }
    List<Op> ops = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        ops.add(OpJson.fromLine(line));
      } catch (IllegalArgumentException e) {
        if (i == lines.size() - 1) {
          break;
        }
        throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return of(ops);
  }

  /** Writes the history as JSON lines, replacing the file. */
  public void write(Path jsonl) {
    try (BufferedWriter out = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
      for (Op op : ops) {
        out.write(OpJson.toLine(op));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write history " + jsonl, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof History other && ops.equals(other.ops);
  }

  @Override
  public int hashCode() {
    return ops.hashCode();
  }

  @Override
  public String toString() {
    return "History[" + ops.size() + " ops]";
  }

  private static List<OpPair> pair(List<Op> ops) {
    List<OpPair> pairs = new ArrayList<>();
    // process -> position in `pairs` of its outstanding invocation
    Map<Integer, Integer> outstanding = new HashMap<>();
    long previousIndex = -1;
    for (Op op : ops) {
      Objects.requireNonNull(op, "op");
      if (op.index() <= previousIndex) {
        throw new IllegalArgumentException(
            "indexes must strictly increase: " + op.index() + " after " + previousIndex);
      }
      previousIndex = op.index();
      Integer open = outstanding.get(op.process());
      if (op.isInvoke()) {
        if (open != null) {
          throw new IllegalArgumentException(
              "process " + op.process() + " invoked " + op.brief() + " while "
                  + pairs.get(open).invoke().brief() + " was outstanding");
        }
        outstanding.put(op.process(), pairs.size());
        pairs.add(new OpPair(op, null));
        continue;
      }
      if (open == null) {
        throw new IllegalArgumentException("completion without invocation: " + op.brief());
      }
      Op invoke = pairs.get(open).invoke();
      if (!invoke.f().equals(op.f()) || !Objects.equals(invoke.key(), op.key())) {
        throw new IllegalArgumentException(
            "completion " + op.brief() + " does not match invocation " + invoke.brief());
      }
      pairs.set(open, new OpPair(invoke, op));
      outstanding.remove(op.process());
    }
    return pairs;
  }
}
