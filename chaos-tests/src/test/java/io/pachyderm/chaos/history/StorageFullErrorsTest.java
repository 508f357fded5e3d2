package io.pachyderm.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A storage run's "refused writes" count: by error text, split by how the driver judged each operation. */
class StorageFullErrorsTest {
  @Test
  void countsFailuresThatSayTheDiskIsFullByWhetherTheyWereDefinite() {
    History history = History.of(List.of(
        invoke(0), done(0, OpType.FAIL, "CommandRejectedException: STORAGE_FULL: node n2: 0 bytes free, reserve 256 MB"),
        invoke(1), done(1, OpType.FAIL, "StorageFullException: node n1 refused the write"),
        invoke(2), done(2, OpType.INFO, "OutcomeUnknownException: ... java.io.IOException: No space left on device"),
        invoke(3), done(3, OpType.INFO, "OutcomeUnknownException: no reply within the request timeout"),
        invoke(4), done(4, OpType.FAIL, "CommandRejectedException: REJECTED_BY_ENTITY: value must be positive"),
        invoke(5), done(5, OpType.OK, null)));

    StorageFullErrors errors = StorageFullErrors.in(history);

    assertThat(errors).isEqualTo(new StorageFullErrors(2, 1));
    assertThat(errors).hasToString("3 (definite failures 2, outcome unknown 1)");
  }

  private static Op invoke(int process) {
    return new Op(2L * process, process, OpType.INVOKE, Op.WRITE, "r0", 1L, 2L * process, null, null);
  }

  private static Op done(int process, OpType type, String error) {
    return new Op(2L * process + 1, process, type, Op.WRITE, "r0", type == OpType.OK ? 1L : null, 2L * process + 1,
        null, error);
  }
}
