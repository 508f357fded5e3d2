package io.pachyderm.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandRejectedExceptionTest {
  @Test
  void theMessageNamesTheKindOnceAndTheDetailStandsAlone() {
    CommandRejectedException e = new CommandRejectedException(RejectionKind.REJECTED_BY_ENTITY,
        "increment must be positive, was -5");
    assertThat(e.getMessage()).isEqualTo("REJECTED_BY_ENTITY: increment must be positive, was -5");
    assertThat(e.detail()).isEqualTo("increment must be positive, was -5");
    assertThat(e.kind() + ": " + e.detail()).isEqualTo(e.getMessage());
  }
}
