package io.pachyderm.node;

import io.pachyderm.node.settings.NodeLimits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.storage.journal.JournalOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node builder collects and {@link NodeSettings} checks the values together at build, naming
 * what does not fit; nothing here starts a node (every case is refused before the node is assembled,
 * or checks the settings alone).
 */
class NodeSettingsTest {
  private static final List<Peer> PEERS = List.of(new Peer("n1", "127.0.0.1:7001"));
  @TempDir
  Path dir;

  @Test
  void aClientTokenOnTheNettyTransportIsRefusedAtBuild() {
    PachydermNode.Builder b = PachydermNode.builder("n1", PEERS, dir).transport(Transport.NETTY)
        .clientToken("0123456789abcdef0123");

    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("node n1: a client token needs the gRPC transport");
  }

  @Test
  void aLogSegmentNoLargerThanTheEntryLimitIsRefusedAtBuild() {
    PachydermNode.Builder b = PachydermNode.builder("n1", PEERS, dir).logSegmentBytesMax(8 << 20);

    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("log segment (8388608 B) must exceed the entry limit (8388608 B)");
  }

  @Test
  void aJournalRecordLimitBelowTheRecordLimitIsRefusedAtBuild() {
    PachydermNode.Builder b = PachydermNode.builder("n1", PEERS, dir)
        .journal(JournalOptions.builder().recordBytesMax(1 << 20).build());

    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("journal recordBytesMax (1048576 B) must exceed the state machine's record limit");
  }

  @Test
  void aSingleBadValueIsRefusedByItsSetterAtOnceNamingIt() {
    PachydermNode.Builder b = PachydermNode.builder("n1", PEERS, dir);

    assertThatThrownBy(() -> b.entitiesPerEcosystemMax(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entitiesPerEcosystemMax");
    assertThatThrownBy(() -> b.timerFiresPerSecondMax(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timerFiresPerSecondMax must be >= 1: 0");
  }

  @Test
  void theBuildersQuotaOverridesTheLimitsOwnAndOtherwiseTheLimitsKeepTheirs() {
    NodeDraft withQuota = new NodeDraft("n1", PEERS, dir);
    withQuota.limits = NodeLimits.DEFAULT.withEntitiesPerEcosystemMax(5);
    withQuota.quotaEntitiesPerEcosystem = 2L;
    NodeDraft without = new NodeDraft("n1", PEERS, dir);
    without.limits = NodeLimits.DEFAULT.withEntitiesPerEcosystemMax(5);

    assertThat(withQuota.settings().effectiveLimits().entitiesPerEcosystemMax()).isEqualTo(2);
    assertThat(without.settings().effectiveLimits().entitiesPerEcosystemMax()).isEqualTo(5);
  }

  @Test
  void nodeLimitsNameTheLimitThatIsOutOfRange() {
    assertThatThrownBy(() -> NodeLimits.DEFAULT.withDedup(1 << 20, 10, 2 << 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("NodeLimits: dedupReplyBytesMax must be between 0 and dedupBytesMax (1048576), got 2097152");
    assertThatThrownBy(() -> NodeLimits.DEFAULT.withOutboxItemsMax(0))
        .hasMessage("NodeLimits: outboxItemsMax must be >= 1, got 0");
    assertThatThrownBy(() -> new NodeLimits(1, 1 << 20, 1 << 19, 1, 1))
        .hasMessageContaining("entryBytesMax must be at least recordBytesMax");
  }
}
