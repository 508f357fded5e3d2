package io.pachyderm.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.ReplyForgottenException;
import io.pachyderm.protocol.Applied;
import io.pachyderm.runtime.EntityKey;
import org.junit.jupiter.api.Test;

/** A call answered from a de-duplication entry that no longer keeps its reply fails, naming the version. */
class ReplyForgottenTest {
  private final EntityKey key = new EntityKey("default", "counter", "c1");

  @Test
  void aCallWhoseReplyWasForgottenFailsNamingTheVersionItWasAppliedAt() {
    Applied forgotten = Applied.newBuilder().setVersion(42).setReplyForgotten(true).build();
    assertThatThrownBy(() -> EncodedOperations.requireReply(key, forgotten))
        .isInstanceOfSatisfying(ReplyForgottenException.class, e -> assertThat(e.appliedVersion()).isEqualTo(42))
        .hasMessageContaining("applied at version 42").hasMessageContaining("default:counter/c1");
  }

  @Test
  void aCallWithItsReplyPassesThrough() {
    Applied applied = Applied.newBuilder().setVersion(3).build();
    assertThat(EncodedOperations.requireReply(key, applied)).isSameAs(applied);
  }
}
