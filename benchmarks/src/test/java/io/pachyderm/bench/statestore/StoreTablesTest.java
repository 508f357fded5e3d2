package io.pachyderm.bench.statestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class StoreTablesTest {
  private static String[] print(BiConsumer<PrintStream, List<StoreTables.Row>> table, List<StoreTables.Row> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    table.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8), rows);
    return bytes.toString(StandardCharsets.UTF_8).split("\n");
  }

  @Test
  void manyEntitiesRowsShowEveryFigureUnderItsHeader() {
    StoreTables.Row done = new StoreTables.Row(StoreKind.HEAP, 100_000, Map.of("created", "100000", "read-ok", "100000",
        "create-ms", "12345", "create-calls-per-s", "8100", "heap-after-gc-bytes", Long.toString(95L << 20),
        "disk-bytes", Long.toString(40L << 20)), "completed");
    StoreTables.Row stalled = new StoreTables.Row(StoreKind.HEAP, 10_000_000, Map.of(),
        new Watchdog.Verdict.Stalled(835_147, 60).cell());
    String[] lines = print(StoreTables::printMany, List.of(done, stalled));
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("store     entities      created      read ok").endsWith("verdict");
    assertThat(lines[1].split("\\s+")).containsExactly("heap", "100,000", "100,000", "100,000", "12.3", "8,100", "95.0",
        "40.0", "419", "completed");
    // A run that stalled before reporting anything: every figure is a dash, the verdict says why.
    assertThat(lines[2]).startsWith("heap    10,000,000            -").contains("STALLED: no call completed for 60 s");
    // Columns line up: each value ends where its header ends.
    assertThat(lines[1].indexOf("100,000") + "100,000".length()).isEqualTo(lines[0].indexOf("entities") + "entities".length());
  }

  @Test
  void latencyRowsAreInMillisecondsAndMarkARunShortOfSnapshots() {
    StoreTables.Row row = new StoreTables.Row(StoreKind.HEAP, 10_000, Map.of("calls", "20000", "calls-per-s", "5000",
        "p50-us", "1500", "p99-us", "12000", "max-us", "250000", "snapshots", "3", "snapshots-short", "yes",
        "snapshot-ms-mean", "40", "snapshot-ms-max", "90", "snapshot-bytes", "1048576"), "completed");
    String[] lines = print(StoreTables::printLatency, List.of(row));
    assertThat(lines[1].split("\\s+")).containsExactly("heap", "10,000", "20,000", "5,000", "1.50", "12.00", "250.00",
        "3!", "40", "90", "1.0", "-", "completed");
  }

  @Test
  void restartRowsMergeTheDriversAndTheChildrensFigures() {
    StoreTables.Row row = new StoreTables.Row(StoreKind.HEAP, 100_000, Map.of("restart-ms", "2500", "open-ms", "1800",
        "restored", "yes", "install-ms", "3100", "installed-by-snapshot", "yes", "follower-reads-right", "yes",
        "follower-disk-bytes", Long.toString(3L << 20)), "restart completed; install completed");
    String[] lines = print(StoreTables::printRestart, List.of(row));
    assertThat(lines[1].split("\\s+")).containsExactly("heap", "100,000", "2,500", "1,800", "yes", "3,100", "yes",
        "yes", "3.0", "restart", "completed;", "install", "completed");
  }
}
