package io.pachyderm.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.RequestId;
import java.util.ArrayList;
import java.util.List;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** The de-duplication table's bounds: by count and bytes, replies for the newest entries only. */
class DedupTableTest {
  @Test
  void olderEntriesKeepTheirVersionButNotTheirReplyBeyondTheReplyCountWindow() {
    DedupTable table = new DedupTable(1_000, ReplicatedTableLimits.DEFAULT.withDedup(1 << 20, 2, 1 << 20));
    for (int i = 1; i <= 4; i++) {
      table.remember(key(i), applied(i, 100), i);
    }
    assertThat(table.size()).isEqualTo(4);
    assertThat(table.repliesKept()).isEqualTo(2);
    for (int i = 1; i <= 2; i++) {
      Applied forgotten = table.get(key(i)).getApplied();
      assertThat(forgotten.getVersion()).isEqualTo(i);
      assertThat(forgotten.getReplyForgotten()).isTrue();
      assertThat(forgotten.hasReply()).isFalse();
    }
    assertThat(table.get(key(4)).getApplied().getReply().getData().size()).isEqualTo(100);
  }

  @Test
  void theWholeTableIsBoundedByBytesOldestFirstWhateverTheCountAllows() {
    DedupTable table = new DedupTable(1_000_000, ReplicatedTableLimits.DEFAULT.withDedup(4_096, 1_000_000, 0));
    for (int i = 1; i <= 1_000; i++) {
      table.remember(key(i), applied(i, 500), i);
      assertThat(table.bytes()).isLessThanOrEqualTo(4_096);
    }
    assertThat(table.size()).isBetween(1, 100);
    assertThat(table.get(key(1))).isNull();
    assertThat(table.get(key(1_000)).getApplied().getVersion()).isEqualTo(1_000);
  }

  @Test
  void restoringAnOlderLargerTableThenEnforcingTheBoundsGivesWhatRememberingItWouldHave() {
    ReplicatedTableLimits small = ReplicatedTableLimits.DEFAULT.withDedup(16 << 10, 3, 1 << 10);
    DedupTable remembered = new DedupTable(50, small);
    DedupTable restored = new DedupTable(50, small);
    List<Outcome> asWrittenByAnOlderNode = new ArrayList<>();
    for (int i = 1; i <= 80; i++) {
      asWrittenByAnOlderNode.add(applied(i, 300));
      remembered.remember(key(i), applied(i, 300), i);
    }
    for (int i = 1; i <= 80; i++) {
      restored.restore(key(i), asWrittenByAnOlderNode.get(i - 1), i);
    }
    assertThat(restored.size()).as("nothing trimmed before the snapshot's digest is checked").isEqualTo(80);
    restored.enforceLimits();
    assertThat(restored.digest()).isEqualTo(remembered.digest());
    assertThat(restored.size()).isEqualTo(remembered.size());
    assertThat(restored.bytes()).isEqualTo(remembered.bytes());
  }

  @Test
  void boundsThatCannotHoldAreRefusedNamingTheLimit() {
    assertThatThrownBy(() -> ReplicatedTableLimits.DEFAULT.withDedup(1 << 20, 10, 2 << 20))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dedupReplyBytesMax");
    assertThatThrownBy(() -> ReplicatedTableLimits.DEFAULT.withOutboxItemsMax(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outboxItemsMax");
    assertThatThrownBy(() -> ReplicatedTableLimits.DEFAULT.withEntitiesPerEcosystemMax(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entitiesPerEcosystemMax");
  }

  private static RequestKey key(long sequence) {
    return RequestKey.of(RequestId.newBuilder().setClientHi(7).setClientLo(9).setSequence(sequence).build());
  }

  private static Outcome applied(long version, int replyBytes) {
    return Outcome.newBuilder().setRequestId(key(version).toProto()).setApplied(Applied.newBuilder().setVersion(version)
        .setReply(Payload.newBuilder().setData(ByteString.copyFrom(new byte[replyBytes])))).build();
  }
}
