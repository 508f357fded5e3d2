package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersusArgsTest {
  @Test
  void defaults_are_the_full_run_with_32_callers_over_10000_entities() {
    VersusArgs a = VersusArgs.parse("run", "--system", "etcd-txn", "--endpoints", "http://127.0.0.1:1,http://127.0.0.1:2");
    assertThat(a.command()).isEqualTo(VersusArgs.Command.RUN);
    assertThat(a.system()).isEqualTo(SystemKind.ETCD_TXN);
    assertThat(a.endpoints()).containsExactly("http://127.0.0.1:1", "http://127.0.0.1:2");
    assertThat(a.workloads()).containsExactly(Workload.UNIFORM, Workload.ZIPFIAN, Workload.HOT, Workload.READ,
        Workload.BANK, Workload.FOLLOW);
    assertThat(a.callers()).isEqualTo(32);
    assertThat(a.entities()).isEqualTo(10_000);
    assertThat(a.payloadBytes()).isEqualTo(100);
    assertThat(a.measure()).isEqualTo(Duration.ofSeconds(20));
    assertThat(a.callsMax()).isEqualTo(200_000);
    assertThat(a.warmup()).as("at most: it ends once the JIT is quiet").isEqualTo(Duration.ofSeconds(180));
  }

  @Test
  void quick_shortens_the_bounds_but_an_explicit_bound_wins_in_either_order() {
    VersusArgs quick = VersusArgs.parse("run", "--system", "raw-ratis", "--endpoints", "r1=127.0.0.1:1", "--quick");
    assertThat(quick.measure()).isEqualTo(Duration.ofSeconds(5));
    assertThat(quick.callsMax()).isEqualTo(50_000);
    assertThat(quick.warmup()).as("three JVMs: the full warm-up bound").isEqualTo(Duration.ofSeconds(180));
    VersusArgs quickLocal = VersusArgs.parse("run", "--system", "pachyderm-local", "--data", "/tmp/x", "--quick");
    assertThat(quickLocal.warmup()).isEqualTo(Duration.ofSeconds(90));

    VersusArgs before = VersusArgs.parse("run", "--seconds", "9", "--quick", "--system", "raw-ratis", "--endpoints", "x");
    VersusArgs after = VersusArgs.parse("run", "--quick", "--seconds", "9", "--system", "raw-ratis", "--endpoints", "x");
    assertThat(before.measure()).isEqualTo(Duration.ofSeconds(9)).isEqualTo(after.measure());
    assertThat(before.callsMax()).isEqualTo(50_000);
  }

  @Test
  void every_option_is_read() {
    VersusArgs a = VersusArgs.parse("run", "--system", "pachyderm-local", "--data", "/tmp/x", "--workloads", "hot, zipfian",
        "--callers", "64", "--entities", "1000", "--payload-bytes", "0", "--calls-max", "7", "--warmup-seconds", "0",
        "--out", "o", "--seed", "42");
    assertThat(a.workloads()).containsExactly(Workload.HOT, Workload.ZIPFIAN);
    assertThat(List.of(a.callers(), a.entities(), a.payloadBytes())).containsExactly(64, 1000, 0);
    assertThat(a.callsMax()).isEqualTo(7);
    assertThat(a.warmup()).isZero();
    assertThat(a.out()).isEqualTo(Path.of("o"));
    assertThat(a.data()).isEqualTo(Path.of("/tmp/x"));
    assertThat(a.seed()).isEqualTo(42);
  }

  @Test
  void report_needs_no_system() {
    VersusArgs a = VersusArgs.parse("report", "--out", "dir");
    assertThat(a.command()).isEqualTo(VersusArgs.Command.REPORT);
    assertThat(a.out()).isEqualTo(Path.of("dir"));
  }

  @Test
  void bad_input_names_what_was_wrong() {
    assertThatThrownBy(VersusArgs::parse).hasMessage("missing command: run, open, failover, report or curve");
    assertThatThrownBy(() -> VersusArgs.parse("go")).hasMessageContaining("unknown command 'go'");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--endpoints", "x")).hasMessage("run needs --system");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--system", "mysql")).hasMessageContaining("unknown system 'mysql'");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--system", "etcd-put"))
        .hasMessage("--system etcd-put needs --endpoints");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--system", "pachyderm-local"))
        .hasMessageContaining("needs --data");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--system", "etcd-put", "--endpoints", "x", "--callers", "0"))
        .hasMessage("--callers must be 1..10000, was 0");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--callers", "many"))
        .hasMessage("--callers needs a whole number, was 'many'");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--workloads", "uniform,spiky"))
        .hasMessageContaining("unknown workload 'spiky'");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--seconds")).hasMessage("--seconds needs a value");
    assertThatThrownBy(() -> VersusArgs.parse("run", "--frobnicate", "1")).hasMessage("unknown option '--frobnicate'");
  }

  @Test
  void open_sweeps_uniform_at_percents_of_the_reference_rate_and_refuses_blocking_systems() {
    VersusArgs a = VersusArgs.parse("open", "--system", "raw-ratis", "--endpoints", "r1=127.0.0.1:1", "--quick");
    assertThat(a.command()).isEqualTo(VersusArgs.Command.OPEN);
    assertThat(a.workloads()).containsExactly(Workload.UNIFORM);
    assertThat(a.ratePercents()).containsExactly(25, 50, 75, 100, 125, 150);
    assertThat(a.measure()).isEqualTo(Duration.ofSeconds(4));
    assertThat(a.maxRatePerS()).isZero();
    VersusArgs b = VersusArgs.parse("open", "--system", "etcd-txn", "--endpoints", "x", "--rates", "10,200",
        "--max-rate", "5000", "--inflight-max", "64");
    assertThat(b.ratePercents()).containsExactly(10, 200);
    assertThat(b.maxRatePerS()).isEqualTo(5_000);
    assertThat(b.inflightMax()).isEqualTo(64);
    assertThat(b.measure()).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> VersusArgs.parse("open", "--system", "postgres-occ", "--endpoints", "jdbc:x"))
        .hasMessageContaining("postgres-occ has no asynchronous client");
    assertThatThrownBy(() -> VersusArgs.parse("open", "--system", "etcd-txn", "--endpoints", "x", "--rates", "50,0"))
        .hasMessage("--rates must be 1..1000, was 0");
    assertThat(VersusArgs.parse("curve", "--out", "d").command()).isEqualTo(VersusArgs.Command.CURVE);
  }
}
