package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersusTableTest {
  /** A row of {@code opsPerSecond} over a 10 s phase with the given p99. */
  private static Row row(String system, String workload, long opsPerSecond, double p99Ms) {
    return new Row(system, workload, 32, 10_000, 100, opsPerSecond * 10, 10.0, 1.0, p99Ms, p99Ms * 2, p99Ms * 3, 0, 0);
  }

  private static List<Row> fullRun() {
    return List.of(
        row("postgres-occ", "uniform", 2_000, 30),
        row("pachyderm-cluster", "uniform", 20_000, 15),
        row("pachyderm-cluster", "hot", 9_000, 18),
        row("etcd-txn", "uniform", 4_000, 12),
        row("raw-ratis", "uniform", 25_000, 10),
        row("pachyderm-local", "uniform", 12_000, 3),
        row("pachyderm-local", "hot", 10_000, 4),
        row("postgres-occ", "hot", 250, 400),
        row("pachyderm-cluster", "zipfian", 19_000, 16));
  }

  private static Targets.Check check(List<Row> rows, String name) {
    return Targets.check(rows).stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void each_target_is_the_ratio_of_its_two_rows_against_its_bound() {
    List<Row> rows = fullRun();
    Targets.Check etcd = check(rows, "cluster vs etcd, many entities");
    assertThat(etcd.measured()).isEqualTo(5.0);
    assertThat(etcd.verdict()).isEqualTo(Targets.Verdict.PASS);

    Targets.Check hot = check(rows, "cluster hot entity vs many entities");
    assertThat(hot.measured()).isEqualTo(0.45);
    assertThat(hot.verdict()).isEqualTo(Targets.Verdict.FAIL);

    Targets.Check ratis = check(rows, "entity layer vs raw Ratis");
    assertThat(ratis.measured()).isEqualTo(0.8);
    assertThat(ratis.verdict()).isEqualTo(Targets.Verdict.FAIL);

    assertThat(check(rows, "local vs PostgreSQL-OCC, many entities").measured()).isEqualTo(6.0);
    assertThat(check(rows, "local vs PostgreSQL-OCC, many entities").verdict()).isEqualTo(Targets.Verdict.PASS);
    assertThat(check(rows, "local vs PostgreSQL-OCC, hot entity").measured()).isEqualTo(40.0);
    assertThat(check(rows, "local vs PostgreSQL-OCC, hot entity").verdict()).isEqualTo(Targets.Verdict.FAIL);

    Targets.Check p99 = check(rows, "cluster p99 at that rate");
    assertThat(p99.measured()).isEqualTo(15.0);
    assertThat(p99.verdict()).isEqualTo(Targets.Verdict.PASS);
  }

  @Test
  void bounds_are_inclusive_and_a_p99_above_its_bound_fails() {
    List<Row> rows = new ArrayList<>(List.of(row("pachyderm-cluster", "uniform", 16_000, 20.0),
        row("etcd-txn", "uniform", 4_000, 1), row("pachyderm-cluster", "hot", 8_000, 1)));
    assertThat(check(rows, "cluster vs etcd, many entities").verdict()).isEqualTo(Targets.Verdict.PASS);
    assertThat(check(rows, "cluster hot entity vs many entities").verdict()).isEqualTo(Targets.Verdict.PASS);
    assertThat(check(rows, "cluster p99 at that rate").verdict()).isEqualTo(Targets.Verdict.PASS);
    rows.set(0, row("pachyderm-cluster", "uniform", 16_000, 20.5));
    assertThat(check(rows, "cluster p99 at that rate").verdict()).isEqualTo(Targets.Verdict.FAIL);
  }

  @Test
  void a_missing_or_empty_row_is_missing_never_passed() {
    List<Row> rows = List.of(row("pachyderm-cluster", "uniform", 20_000, 5),
        new Row("etcd-txn", "uniform", 32, 10_000, 100, 0, 10.0, 0, 0, 0, 0, 0, 320));
    Targets.Check etcd = check(rows, "cluster vs etcd, many entities");
    assertThat(etcd.verdict()).isEqualTo(Targets.Verdict.MISSING);
    assertThat(etcd.line()).startsWith("MISSING");
    assertThat(check(rows, "entity layer vs raw Ratis").verdict()).isEqualTo(Targets.Verdict.MISSING);
  }

  @Test
  void the_table_lists_systems_in_order_with_rates_and_counts_the_targets_met() {
    String table = VersusTable.render(fullRun());
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).contains("system", "workload", "ops/s", "p50 ms", "p99 ms", "p999 ms", "max ms", "errors");
    assertThat(lines.get(1)).startsWith("pachyderm-cluster  uniform").contains("20,000");
    assertThat(lines.get(2)).startsWith("pachyderm-cluster  zipfian");
    assertThat(lines.get(3)).startsWith("pachyderm-cluster  hot");
    assertThat(lines.get(4)).startsWith("raw-ratis");
    assertThat(lines.get(5)).startsWith("etcd-txn");
    assertThat(lines.get(6)).startsWith("pachyderm-local    uniform");
    assertThat(lines.get(8)).startsWith("postgres-occ       uniform").contains("2,000");
    assertThat(table).contains("PASS    cluster vs etcd, many entities", "5.00x", ">= 4.00x");
    assertThat(table).contains("3 of 6 targets met.");
  }

  @Test
  void rows_survive_their_tsv_and_a_malformed_line_is_quoted() {
    Row r = new Row("raw-ratis", "zipfian", 32, 10_000, 100, 12_345, 5.0, 1.234, 9.876, 20.5, 31.0, 7, 2);
    Row back = Row.fromTsv(r.toTsv());
    assertThat(back).isEqualTo(r);
    assertThat(back.opsPerSecond()).isEqualTo(2_469.0);
    assertThat(VersusTable.targetsTsv(fullRun())).startsWith("target\tverdict\tmeasured\tbound\tkind\n")
        .contains("cluster vs etcd, many entities\tPASS\t5.0000\t4.00\tratio_at_least");
    assertThatThrownBy(() -> Row.fromTsv("raw-ratis\tuniform\t32")).hasMessageContaining("14 tab-separated fields")
        .hasMessageContaining("raw-ratis\tuniform\t32");
    assertThatThrownBy(() -> Row.fromTsv(r.toTsv().replace("\t12345\t", "\tmany\t")))
        .hasMessageContaining("malformed number");
  }
}
