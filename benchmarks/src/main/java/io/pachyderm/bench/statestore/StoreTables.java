package io.pachyderm.bench.statestore;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The state-store benchmark's three tables, one row per (store, entity count), so that the stores
 * sit on adjacent lines. Pure: rows in, text out. A figure a child did not report (it stalled or
 * failed first) prints as {@code -}.
 */
final class StoreTables {
  private StoreTables() {}

  /**
   * One child run's figures (or several children's, merged) for one store and entity count.
   *
   * @param figures the children's results by key ({@link ChildLine.Result}), plus the driver's own
   *     ({@code restart-ms})
   * @param verdict how the runs ended, as a table cell
   */
  record Row(StoreKind store, long entities, Map<String, String> figures, String verdict) {
    Row {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(figures, "figures");
      Objects.requireNonNull(verdict, "verdict");
    }

    String get(String key) {
      return figures.get(key);
    }
  }

  private record Column(String header, int width, Function<Row, String> cell) {}

  private static final List<Column> MANY = List.of(
      new Column("store", 5, r -> r.store().flag()),
      new Column("entities", 12, r -> count(r.entities())),
      new Column("created", 12, r -> count(r.get("created"))),
      new Column("read ok", 12, r -> count(r.get("read-ok"))),
      new Column("create s", 9, r -> seconds(r.get("create-ms"))),
      new Column("calls/s", 9, r -> count(r.get("create-calls-per-s"))),
      new Column("heap MB", 8, r -> megabytes(r.get("heap-after-gc-bytes"))),
      new Column("disk MB", 8, r -> megabytes(r.get("disk-bytes"))),
      new Column("B/entity", 9, r -> perEntity(r.get("disk-bytes"), r.get("created"))));

  private static final List<Column> LATENCY = List.of(
      new Column("store", 5, r -> r.store().flag()),
      new Column("entities", 12, r -> count(r.entities())),
      new Column("calls", 9, r -> count(r.get("calls"))),
      new Column("calls/s", 8, r -> count(r.get("calls-per-s"))),
      new Column("p50 ms", 8, r -> millis(r.get("p50-us"))),
      new Column("p99 ms", 8, r -> millis(r.get("p99-us"))),
      new Column("max ms", 9, r -> millis(r.get("max-us"))),
      new Column("snaps", 5, r -> snapshots(r)),
      new Column("snap ms", 8, r -> orDash(r.get("snapshot-ms-mean"))),
      new Column("max", 7, r -> orDash(r.get("snapshot-ms-max"))),
      new Column("snap MB", 8, r -> megabytes(r.get("snapshot-bytes"))),
      new Column("heap MB", 8, r -> megabytes(r.get("heap-after-gc-bytes"))));

  private static final List<Column> RESTART = List.of(
      new Column("store", 5, r -> r.store().flag()),
      new Column("entities", 12, r -> count(r.entities())),
      new Column("restart ms", 10, r -> count(r.get("restart-ms"))),
      new Column("open ms", 8, r -> count(r.get("open-ms"))),
      new Column("restored", 8, r -> orDash(r.get("restored"))),
      new Column("install ms", 10, r -> count(r.get("install-ms"))),
      new Column("by snap", 7, r -> orDash(r.get("installed-by-snapshot"))),
      new Column("reads", 5, r -> orDash(r.get("follower-reads-right"))),
      new Column("follower MB", 11, r -> megabytes(r.get("follower-disk-bytes"))));

  /** Table 1: N counters created and read back on one local node with a small heap. */
  static void printMany(PrintStream out, List<Row> rows) {
    print(out, MANY, rows);
  }

  /** Table 2: calls over existing counters while the node takes snapshots. */
  static void printLatency(PrintStream out, List<Row> rows) {
    print(out, LATENCY, rows);
  }

  /** Table 3: restart of a populated local node, and snapshot install into an empty follower. */
  static void printRestart(PrintStream out, List<Row> rows) {
    print(out, RESTART, rows);
  }

  private static void print(PrintStream out, List<Column> columns, List<Row> rows) {
    StringBuilder header = new StringBuilder();
    for (Column c : columns) {
      header.append(pad(c.header(), c.width(), c == columns.get(0))).append(' ');
    }
    out.println(header.append("verdict"));
    for (Row r : rows) {
      StringBuilder line = new StringBuilder();
      for (Column c : columns) {
        line.append(pad(c.cell().apply(r), c.width(), c == columns.get(0))).append(' ');
      }
      out.println(line.append(r.verdict()));
    }
  }

  /** The first column is left-aligned, the figures right-aligned; a cell wider than its column widens it. */
  private static String pad(String s, int width, boolean left) {
    if (s.length() >= width) {
      return s;
    }
    String blanks = " ".repeat(width - s.length());
    return left ? s + blanks : blanks + s;
  }

  private static String snapshots(Row r) {
    String n = r.get("snapshots");
    if (n == null) {
      return "-";
    }
    return "yes".equals(r.get("snapshots-short")) ? n + "!" : n;
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String count(String n) {
    return n == null ? "-" : count(Long.parseLong(n));
  }

  static String seconds(String ms) {
    return ms == null ? "-" : String.format(Locale.ROOT, "%.1f", Long.parseLong(ms) / 1000.0);
  }

  static String millis(String us) {
    return us == null ? "-" : String.format(Locale.ROOT, "%.2f", Long.parseLong(us) / 1000.0);
  }

  static String megabytes(String bytes) {
    if (bytes == null || Long.parseLong(bytes) < 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f", Long.parseLong(bytes) / (1024.0 * 1024.0));
  }

  static String perEntity(String bytes, String entities) {
    if (bytes == null || entities == null || Long.parseLong(entities) <= 0) {
      return "-";
    }
    return count(Math.round((double) Long.parseLong(bytes) / Long.parseLong(entities)));
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
