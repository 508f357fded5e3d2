package io.pachyderm.chaos.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixed nemesis schedule: which fault starts when, and for how long, measured from the moment
 * the clients start. The alternative to the random nemesis families, for a user who wants to
 * know what happened when. Built in code or read from a file, one fault per line:
 *
 * <pre>
 * # comments and blank lines are ignored
 * at 10s isolate leader for 20s
 * at 40s kill random-node, restart after 10s
 * at 60s pause n2 for 5s
 * at 70s partition majorities-ring for 15s
 * at 90s cut-log-tail n3 keep 50%, restart after 5s
 * at 120s fill-disk n2 for 20s
 * </pre>
 *
 * <p>Grammar (words separated by blanks; durations are a whole number with {@code ms}, {@code s},
 * {@code m} or {@code h}):
 *
 * <pre>
 * line     = "at" DURATION fault
 * fault    = "kill" TARGET ending
 *          | "pause" TARGET "for" DURATION
 *          | "isolate" NODE "for" DURATION
 *          | "partition" SHAPE "for" DURATION
 *          | "cut-log-tail" TARGET [ "keep" PERCENT "%" ] ending      (keep 50% by default)
 *          | "fill-disk" TARGET "for" DURATION
 * ending   = ", restart after" DURATION | "for" DURATION
 * TARGET   = NODE | "all-nodes"
 * NODE     = "leader" | "random-node" | "n1" | "n2" | ...
 * SHAPE    = "halves" | "majorities-ring" | "bridge"
 * </pre>
 *
 * <p>The leader and the random node are chosen when the fault starts (the leader lookup takes up
 * to {@link io.pachyderm.chaos.nodes.ChaosCluster#STATUS_TIMEOUT}, so a leader fault may start
 * that much late). Faults may overlap, except faults made of DROP rules ({@code isolate},
 * {@code partition}): ending one flushes every rule, so two may not be in force at once; nor may
 * two {@code fill-disk} faults (one ballast per disk, and a leader target may be the node already
 * full). A fault still in force when the clients stop is ended then; every node is healed
 * before the final reads.
 *
 * <p>Immutable and thread-safe. Parse errors are {@link ScheduleParseException}s naming the line.
 */
public final class ChaosSchedule {
  /** Faults in one schedule at most. */
  public static final int ENTRIES_MAX = 1000;

  /**
   * One scheduled fault.
   *
   * @param at when it starts, from the moment clients start
   * @param fault what is done
   * @param lasting how long it stays in force before it is healed (restarted, resumed, rules flushed)
   * @param line the file line it came from; 0 when built in code
   */
  public record Entry(Duration at, FaultAction fault, Duration lasting, int line) {
    public Entry {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(fault, "fault");
      Objects.requireNonNull(lasting, "lasting");
      if (at.isNegative()) {
        throw new IllegalArgumentException("a fault cannot start before the run: at " + at);
      }
      if (lasting.isNegative() || lasting.isZero()) {
        throw new IllegalArgumentException("a fault must last a positive time: " + lasting);
      }
    }

    /** When it is healed, from the moment clients start. */
    public Duration end() {
      return at.plus(lasting);
    }

    /** The file form: {@code at 40s kill random-node, restart after 10s}. */
    public String text() {
      return "at " + format(at) + " " + fault.text()
          + (fault.restarts() ? ", restart after " : " for ") + format(lasting);
    }

    private String where() {
      return line > 0 ? "line " + line : "'" + text() + "'";
    }
  }

  private final List<Entry> entries;

  private ChaosSchedule(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::at));
    if (sorted.size() > ENTRIES_MAX) {
      throw new IllegalArgumentException("a schedule holds at most " + ENTRIES_MAX + " faults: " + sorted.size());
    }
    requireNoOverlappingRules(sorted);
    this.entries = List.copyOf(sorted);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Parses the file form; see the class comment. */
  public static ChaosSchedule parse(String text) {
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (!content.isEmpty()) {
        entries.add(new LineParser(i + 1, content).entry());
      }
    }
    return new ChaosSchedule(entries);
  }

  /** Reads and parses {@code file}; parse errors name the file and line. */
  public static ChaosSchedule read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schedule " + file, e);
    }
    try {
      return parse(text);
    } catch (ScheduleParseException e) {
      throw new ScheduleParseException(file + ": " + e.getMessage(), e.line());
    }
  }

  /** Every fault, by start time. */
  public List<Entry> entries() {
    return entries;
  }

  /** When the last fault is healed; zero for an empty schedule. */
  public Duration end() {
    Duration end = Duration.ZERO;
    for (Entry e : entries) {
      end = e.end().compareTo(end) > 0 ? e.end() : end;
    }
    return end;
  }

  /**
   * Checks the schedule against a run: every named node exists, and every fault starts while the
   * clients still run.
   *
   * @throws IllegalArgumentException naming the line otherwise
   */
  public void requireFits(int nodes, Duration clientsRun) {
    for (Entry e : entries) {
      int named = namedNode(e.fault());
      if (named > nodes) {
        throw new IllegalArgumentException("schedule " + e.where() + ": there is no n" + named + " in a cluster of "
            + nodes + " nodes");
      }
      if (e.at().compareTo(clientsRun) >= 0) {
        throw new IllegalArgumentException("schedule " + e.where() + ": starts at " + format(e.at())
            + ", not before the clients stop at " + format(clientsRun) + " (make the run longer)");
      }
    }
  }

  /** The file form, one line per fault, by start time. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      sb.append(e.text()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChaosSchedule other && toText().equals(other.toText());
  }

  @Override
  public int hashCode() {
    return toText().hashCode();
  }

  @Override
  public String toString() {
    return toText();
  }

  /**
   * {@code 1500ms}, {@code 70s}, {@code 10m}, {@code 2h}: seconds below ten minutes, then the
   * largest unit that is exact, so that times read as people write them.
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 600 || s % 60 != 0) {
      return s + "s";
    }
    long m = s / 60;
    return m < 600 && m % 60 != 0 || m < 60 ? m + "m" : m / 60 + "h";
  }

  /** Whether some fault fills a data disk (the run must then give each node a filesystem of its own). */
  public boolean fillsDisks() {
    for (Entry e : entries) {
      if (e.fault() instanceof FaultAction.FillDisk) {
        return true;
      }
    }
    return false;
  }

  private static int namedNode(FaultAction fault) {
    FaultTarget target = null;
    if (fault instanceof FaultAction.Kill k) {
      target = k.target();
    } else if (fault instanceof FaultAction.Pause p) {
      target = p.target();
    } else if (fault instanceof FaultAction.Isolate i) {
      target = i.target();
    } else if (fault instanceof FaultAction.CutLogTail c) {
      target = c.target();
    } else if (fault instanceof FaultAction.FillDisk f) {
      target = f.target();
    }
    return target instanceof FaultTarget.Node n ? n.index() : 0;
  }

  private static void requireNoOverlappingRules(List<Entry> sorted) {
    requireNoOverlap(sorted, FaultAction::cutsLinks, "ending one partition heals every link, so they may not overlap");
    // A leader or random target may be the node another fill holds full: one ballast at a time.
    requireNoOverlap(sorted, f -> f instanceof FaultAction.FillDisk, "two disk fills may not overlap");
  }

  private static void requireNoOverlap(List<Entry> sorted, java.util.function.Predicate<FaultAction> kind,
                                       String why) {
    Entry open = null;
    for (Entry e : sorted) {
      if (!kind.test(e.fault())) {
        continue;
      }
      if (open != null && e.at().compareTo(open.end()) < 0) {
        throw new ScheduleParseException("schedule " + e.where() + ": " + e.fault().text() + " starts at "
            + format(e.at()) + " while " + open.fault().text() + " (" + open.where() + ") is in force until "
            + format(open.end()) + "; " + why, e.line());
      }
      open = e;
    }
  }

  /** Collects entries in code; {@link #build()} sorts and validates them. Not thread-safe. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    /** {@code fault} starts {@code at} after the clients and is healed {@code lasting} later. */
    public Builder at(Duration at, FaultAction fault, Duration lasting) {
      entries.add(new Entry(at, fault, lasting, 0));
      return this;
    }

    public ChaosSchedule build() {
      return new ChaosSchedule(entries);
    }
  }

  /** Parses one non-empty line. */
  private static final class LineParser {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,2})%");

    private final int line;
    private final List<String> words;
    private int next;

    LineParser(int line, String content) {
      this.line = line;
      // ", restart after" may be written with or without blanks around the comma.
      this.words = List.of(content.replace(",", " , ").strip().split("\\s+"));
    }

    Entry entry() {
      expect("at", "every line starts with 'at <time>'");
      Duration at = duration("after 'at'");
      String verb = word("a fault: kill, pause, isolate, partition, cut-log-tail or fill-disk");
      FaultAction fault;
      switch (verb) {
        case "kill" -> fault = FaultAction.kill(target(true));
        case "pause" -> fault = FaultAction.pause(target(true));
        case "fill-disk" -> fault = FaultAction.fillDisk(target(true));
        case "isolate" -> fault = FaultAction.isolate(target(false));
        case "partition" -> {
          String shape = word("a partition shape: halves, majorities-ring or bridge");
          FaultAction.Shape s = FaultAction.Shape.parse(shape);
          if (s == null) {
            throw error("unknown partition shape '" + shape + "'; expected halves, majorities-ring or bridge");
          }
          fault = FaultAction.partition(s);
        }
        case "cut-log-tail" -> {
          FaultTarget target = target(true);
          double keep = 0.5;
          if (peek("keep")) {
            next++;
            String pct = word("a percentage after 'keep', like 50%");
            Matcher m = PERCENT.matcher(pct);
            if (!m.matches() || Integer.parseInt(m.group(1)) == 0) {
              throw error("'" + pct + "' is not a percentage between 1% and 99%");
            }
            keep = Integer.parseInt(m.group(1)) / 100.0;
          }
          fault = FaultAction.cutLogTail(target, keep);
        }
        default -> throw error("unknown fault '" + verb
            + "'; expected kill, pause, isolate, partition, cut-log-tail or fill-disk");
      }
      Duration lasting = ending(fault);
      if (next < words.size()) {
        throw error("unexpected '" + String.join(" ", words.subList(next, words.size())) + "' at the end");
      }
      try {
        return new Entry(at, fault, lasting, line);
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    private Duration ending(FaultAction fault) {
      String how = fault.restarts() ? "', restart after <time>' or 'for <time>'" : "'for <time>'";
      if (peek(",")) {
        if (!fault.restarts()) {
          throw error(fault.text() + " ends with 'for <time>', not ', restart after'");
        }
        next++;
        expect("restart", "expected 'restart after <time>' after the comma");
        expect("after", "expected 'restart after <time>' after the comma");
        return duration("after 'restart after'");
      }
      if (peek("for")) {
        next++;
        return duration("after 'for'");
      }
      throw error(next < words.size() ? "expected " + how + ", found '" + words.get(next) + "'"
          : "missing how long: expected " + how + " at the end");
    }

    private FaultTarget target(boolean allowed) {
      String word = word(allowed ? "a target: leader, random-node, n<i> or all-nodes"
          : "a node: leader, random-node or n<i>");
      FaultTarget t = FaultTarget.parse(word);
      if (t == null || (!allowed && t instanceof FaultTarget.AllNodes)) {
        throw error("'" + word + "' is not " + (allowed ? "a target (leader, random-node, n<i> or all-nodes)"
            : "one node (leader, random-node or n<i>)"));
      }
      return t;
    }

    private Duration duration(String where) {
      String w = word("a duration " + where + ", like 10s");
      Matcher m = DURATION.matcher(w);
      if (!m.matches()) {
        throw error("'" + w + "' " + where + " is not a duration like 500ms, 10s, 2m or 1h");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }

    private boolean peek(String expected) {
      return next < words.size() && words.get(next).equals(expected);
    }

    private void expect(String expected, String why) {
      if (!peek(expected)) {
        throw error(why + (next < words.size() ? ", found '" + words.get(next) + "'" : ""));
      }
      next++;
    }

    private String word(String what) {
      if (next >= words.size()) {
        throw error("missing " + what + " at the end");
      }
      return words.get(next++);
    }

    private ScheduleParseException error(String what) {
      return new ScheduleParseException("schedule line " + line + ": " + what, line);
    }
  }
}
