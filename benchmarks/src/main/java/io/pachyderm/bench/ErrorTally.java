package io.pachyderm.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failed calls of one scenario, grouped by phase, exception class and message shape (digits
 * folded, so request ids and entity numbers do not split a group), each with its first stack
 * trace. At most {@link #KINDS_MAX} groups are kept; later kinds only count. Thread-safe.
 */
final class ErrorTally {
  private static final int KINDS_MAX = 20;
  private static final int MESSAGE_CHARS_MAX = 160;
  private static final int TRACE_LINES_MAX = 100;

  private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
  private final AtomicLong untracked = new AtomicLong();

  /** One group of alike failures. */
  static final class Kind {
    final String key;
    final Throwable first;
    final AtomicLong count = new AtomicLong();

    Kind(String key, Throwable first) {
      this.key = key;
      this.first = first;
    }
  }

  void record(String phase, Throwable t) {
    String message = String.valueOf(t.getMessage());
    if (message.length() > MESSAGE_CHARS_MAX) {
      message = message.substring(0, MESSAGE_CHARS_MAX) + "...";
    }
    String key = phase + ": " + t.getClass().getName() + ": " + message.replaceAll("[0-9]+", "#");
    Kind kind = kinds.get(key);
    if (kind == null && kinds.size() >= KINDS_MAX) {
      untracked.incrementAndGet();
      return;
    }
    kinds.computeIfAbsent(key, k -> new Kind(k, t)).count.incrementAndGet();
  }

  boolean isEmpty() {
    return kinds.isEmpty() && untracked.get() == 0;
  }

  /** Groups, most frequent first, then a line for failures beyond the kept groups. */
  List<String> report() {
    List<Kind> sorted = new ArrayList<>(kinds.values());
    sorted.sort((a, b) -> Long.compare(b.count.get(), a.count.get()));
    List<String> lines = new ArrayList<>();
    for (Kind k : sorted) {
      lines.add(k.count.get() + " x " + k.key);
      lines.add("  first occurrence:");
      String[] trace = stackTrace(k.first).split("\n");
      for (int i = 0; i < Math.min(trace.length, TRACE_LINES_MAX); i++) {
        lines.add("    " + trace[i].stripTrailing());
      }
      if (trace.length > TRACE_LINES_MAX) {
        lines.add("    ... " + (trace.length - TRACE_LINES_MAX) + " more lines");
      }
    }
    if (untracked.get() > 0) {
      lines.add(untracked.get() + " x failures of further kinds (only the first " + KINDS_MAX + " kinds are kept)");
    }
    return lines;
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
