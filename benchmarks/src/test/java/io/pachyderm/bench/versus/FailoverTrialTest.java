package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.bench.versus.FailoverTrial.Call;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailoverTrialTest {
  private static final long MS = 1_000_000L;
  private static final long KILL = 10_000 * MS;

  private static Call ok(long startMs, long endMs) {
    return new Call(startMs * MS, endMs * MS, true);
  }

  private static Call failed(long startMs, long endMs) {
    return new Call(startMs * MS, endMs * MS, false);
  }

  @Test
  void first_write_counts_only_writes_started_after_the_kill_and_the_window_runs_from_the_last_ack_before() {
    List<Call> calls = List.of(
        ok(9_900, 9_990),
        // In flight at the kill, acknowledged late: it may have been committed by the old leader.
        ok(9_995, 10_300),
        failed(10_001, 10_500),
        ok(10_200, 10_700),
        ok(10_600, 10_650),
        ok(10_800, 10_900));
    FailoverTrial.Outcome o = FailoverTrial.measure(KILL, calls);
    assertThat(o.firstWriteMs()).isEqualTo(650.0);
    assertThat(o.unavailableMs()).isEqualTo(660.0);
    assertThat(o.okCalls()).isEqualTo(5);
    assertThat(o.failedCalls()).isEqualTo(1);
    assertThat(o.recovered()).isTrue();
  }

  @Test
  void a_trial_without_an_acknowledged_write_after_the_kill_has_no_figure_not_zero() {
    FailoverTrial.Outcome o = FailoverTrial.measure(KILL, List.of(ok(9_000, 9_500), failed(10_100, 40_100)));
    assertThat(o.recovered()).isFalse();
    assertThat(o.firstWriteMs()).isNaN();
    assertThat(o.unavailableMs()).isNaN();
    assertThat(FailoverTrial.measure(KILL, List.of(ok(10_100, 10_200))).unavailableMs())
        .as("no ack before the kill: no window").isNaN();
    assertThatThrownBy(() -> ok(5, 4)).hasMessageContaining("cannot end");
  }

  @Test
  void the_summary_is_the_nearest_rank_median_and_the_max_with_missing_trials_apart() {
    FailoverTrial.Summary s = FailoverTrial.Summary.of(Arrays.asList(900.0, 400.0, 1_200.0, Double.NaN, 700.0));
    assertThat(s.trials()).isEqualTo(5);
    assertThat(s.missing()).isEqualTo(1);
    assertThat(s.p50()).isEqualTo(700.0);
    assertThat(s.max()).isEqualTo(1_200.0);
    assertThat(FailoverTrial.Summary.of(List.of(300.0, 100.0, 200.0)).p50()).isEqualTo(200.0);
    FailoverTrial.Summary none = FailoverTrial.Summary.of(List.of(Double.NaN));
    assertThat(none.p50()).isNaN();
    assertThat(none.missing()).isEqualTo(1);
  }

  @Test
  void failover_arguments_name_what_is_missing() {
    VersusArgs a = VersusArgs.parse("failover", "--system", "etcd-txn", "--endpoints", "http://a:1,http://b:2,http://c:3",
        "--pids", "11,12,13", "--pid-file", "/tmp/p", "--quick");
    assertThat(a.trials()).isEqualTo(3);
    assertThat(a.history()).isEqualTo(2_000);
    assertThat(a.pids()).containsExactly(11L, 12L, 13L);
    assertThat(VersusArgs.parse("failover", "--system", "etcd-txn", "--endpoints", "x", "--pids", "1", "--pid-file", "f")
        .trials()).isEqualTo(5);
    assertThatThrownBy(() -> VersusArgs.parse("failover", "--system", "raw-ratis", "--endpoints", "x", "--pids", "1",
        "--pid-file", "f")).hasMessageContaining("pachyderm-cluster or etcd-txn, not raw-ratis");
    assertThatThrownBy(() -> VersusArgs.parse("failover", "--system", "etcd-txn", "--endpoints", "x,y", "--pids", "1",
        "--pid-file", "f")).hasMessageContaining("2 endpoints, 1 pids");
    assertThatThrownBy(() -> VersusArgs.parse("failover", "--system", "etcd-txn", "--endpoints", "x", "--pids", "1"))
        .hasMessageContaining("--pid-file");
    assertThatThrownBy(() -> VersusArgs.parse("failover", "--system", "etcd-txn", "--endpoints", "x", "--pids", "1",
        "--pid-file", "f", "--trials", "51")).hasMessage("--trials must be 1..50, was 51");
  }

  @Test
  void the_table_prints_each_trial_and_the_p50_and_max() {
    List<Failover.Row> rows = List.of(
        new Failover.Row(1, "member 2", new FailoverTrial.Outcome(800, 850, 100, 3), 12_000, 2_500),
        new Failover.Row(2, "member 1", new FailoverTrial.Outcome(600, 640, 90, 1), 13_000, 3_000),
        new Failover.Row(3, "member 3", new FailoverTrial.Outcome(Double.NaN, Double.NaN, 10, 50), 13_500, Double.NaN));
    String table = Failover.render("etcd-txn", rows);
    assertThat(table).contains("failover, etcd-txn");
    assertThat(table.lines().filter(l -> l.matches("\\s+\\d+ member.*"))).hasSize(3);
    assertThat(table).containsPattern("first write after the kill\\s+p50\\s+600 ms, max\\s+800 ms over 3 trials \\(1 without");
    assertThat(table).containsPattern("restart until caught up\\s+p50\\s+2500 ms, max\\s+3000 ms");
  }
}
