package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  /** Records which operation each call made. */
  private static final class Recording implements Driver {
    final List<String> calls = new ArrayList<>();

    @Override
    public int update(int caller, int key) {
      calls.add("update " + key);
      return 0;
    }

    @Override
    public int read(int caller, int key) {
      calls.add("read " + key);
      return 0;
    }

    @Override
    public int transfer(int caller, int from, int to) {
      calls.add("transfer " + from + "->" + to);
      return 2;
    }

    @Override
    public void close() {
    }
  }

  @Test
  void each_workload_calls_its_own_operation_and_a_transfer_pays_the_next_account() throws Exception {
    Recording d = new Recording();
    Workload.UNIFORM.call(d, 0, 3, 10);
    Workload.HOT.call(d, 0, 0, 10);
    Workload.READ.call(d, 0, 4, 10);
    assertThat(Workload.BANK.call(d, 0, 9, 10)).isEqualTo(2);
    assertThat(d.calls).containsExactly("update 3", "update 0", "read 4", "transfer 9->0");
    assertThatThrownBy(() -> Workload.payee(0, 1)).hasMessageContaining("at least 2 accounts");
  }

  @Test
  void reads_and_transfers_run_only_where_the_system_has_them() {
    assertThat(Workload.READ.supports(SystemKind.ETCD_TXN)).isTrue();
    assertThat(Workload.BANK.supports(SystemKind.PACHYDERM_CLUSTER)).isTrue();
    assertThat(Workload.READ.supports(SystemKind.RAW_RATIS)).isTrue();
    assertThat(Workload.BANK.supports(SystemKind.POSTGRES_OCC)).isTrue();
    assertThat(Workload.BANK.supports(SystemKind.ETCD_PUT)).isFalse();
    assertThat(Workload.HOT.supports(SystemKind.POSTGRES_OCC)).isTrue();
    assertThat(Workload.parse(" Bank ")).isEqualTo(Workload.BANK);
    assertThatThrownBy(() -> Workload.parse("scan")).hasMessageContaining("uniform, zipfian, hot, read, bank or follow");
    assertThat(Workload.FOLLOW.supports(SystemKind.ETCD_TXN)).isTrue();
    assertThat(Workload.FOLLOW.supports(SystemKind.RAW_RATIS)).isFalse();
  }

  @Test
  void a_driver_without_the_operation_says_so() {
    Driver bare = new Driver() {
      @Override
      public int update(int caller, int key) {
        return 0;
      }

      @Override
      public void close() {
      }
    };
    assertThatThrownBy(() -> Workload.READ.call(bare, 0, 1, 10)).hasMessageContaining("has no read workload");
    assertThat(bare.updateAsync(1)).isCompletedExceptionally();
  }
}
