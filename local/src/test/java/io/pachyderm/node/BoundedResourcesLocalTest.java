package io.pachyderm.node;

import io.pachyderm.node.settings.NodeLimits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.api.Reply;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.local.LocalPachyderm;
import io.pachyderm.node.status.AppliedDigest;
import java.nio.file.Path;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: a state-replacing entity's state is written into the log once; the entity quota. */
class BoundedResourcesLocalTest {
  @TempDir
  Path dir;

  @Test
  void aStateReplacingCallWritesItsStateIntoTheLogOnceAndStillRepliesWithTheNewState() throws Exception {
    int calls = 10;
    int stateBytes = 100_000;
    EntityRef<TestBlob.State, TestBlob.Command> ref = TestBlob.TYPE.ref("doc");
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(TestBlob.TYPE)).open()) {
      for (int i = 0; i < calls; i++) {
        String content = Integer.toString(i).repeat(stateBytes / Integer.toString(i).length());
        Reply<TestBlob.State> reply = local.call(ref, new TestBlob.Replace(content));
        assertThat(reply.version()).isEqualTo(i + 1);
        assertThat(reply.value()).isEqualTo(new TestBlob.State(content));
      }
      long logged = pachydermLogBytes(io.pachyderm.node.internal.NodeInternals.raftServer(local.node()));
      // Before: each entry held the content in the event and again in the reply (~2 x 100 KB).
      assertThat(logged).isGreaterThan((long) calls * stateBytes).isLessThan((long) calls * stateBytes * 3 / 2);
    }
  }

  @Test
  void aCommandThatWouldCreateAnEntityOverTheEcosystemsQuotaIsRejectedNamingEcosystemAndQuota() {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(TestBlob.TYPE))
        .entitiesPerEcosystemMax(2).open()) {
      local.call(TestBlob.TYPE.ref("a"), new TestBlob.Replace("1"));
      local.call(TestBlob.TYPE.ref("b"), new TestBlob.Replace("2"));
      assertThatThrownBy(() -> local.call(TestBlob.TYPE.ref("c"), new TestBlob.Replace("3")))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.LIMIT_EXCEEDED))
          .hasMessageContaining("ecosystem 'default'")
          .hasMessageContaining("entitiesPerEcosystemMax = 2");
      assertThat(local.query(TestBlob.TYPE.ref("c")).version()).isZero();
      assertThat(local.call(TestBlob.TYPE.ref("a"), new TestBlob.Replace("again")).version()).isEqualTo(2);
      assertThat(local.ecosystem("other").call(TestBlob.TYPE.ref("c"), new TestBlob.Replace("3")).version()).isEqualTo(1);
    }
    assertThatThrownBy(() -> LocalPachyderm.builder(dir).entitiesPerEcosystemMax(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entitiesPerEcosystemMax");
  }

  @Test
  void aSnapshotCarriesTheTrimmedDeDuplicationTableAndTheRestartedNodeLoadsItWithTheSameDigest() throws Exception {
    java.util.List<io.pachyderm.cluster.Peer> peers =
        java.util.List.of(new io.pachyderm.cluster.Peer("n1", "127.0.0.1:" + TestCluster.freePort()));
    // Two replies kept: of five calls, three keep only their versions.
    io.pachyderm.node.settings.NodeLimits limits = io.pachyderm.node.settings.NodeLimits.DEFAULT.withDedup(1 << 20, 2, 1 << 20);
    EntityRef<TestBlob.State, TestBlob.Command> ref = TestBlob.TYPE.ref("doc");
    AppliedDigest before;
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir).entityTypes(EntityTypes.of(TestBlob.TYPE))
        .limits(limits).build().start();
         io.pachyderm.client.PachydermClient client = io.pachyderm.client.PachydermClient.builder(peers)
             .entityTypes(EntityTypes.of(TestBlob.TYPE)).build()) {
      awaitReady(node);
      for (int i = 1; i <= 5; i++) {
        assertThat(client.call(ref, new TestBlob.Replace("v" + i)).value()).isEqualTo(new TestBlob.State("v" + i));
      }
      node.takeSnapshot();
      before = node.appliedDigest();
    }
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir).entityTypes(EntityTypes.of(TestBlob.TYPE))
        .limits(limits).build().start()) {
      awaitReady(node);
      // The restart appends entries of its own (a new term's first entry) but changes no state.
      assertThat(node.appliedDigest().appliedIndex()).isGreaterThanOrEqualTo(before.appliedIndex());
      assertThat(node.appliedDigest().digest()).isEqualTo(before.digest());
    }
  }

  private static void awaitReady(PachydermNode node) throws InterruptedException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (!node.isReadyLeader() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(node.isReadyLeader()).as("a one-node cluster elects itself").isTrue();
  }

  /** Bytes of Pachyderm data in the leader's Raft log (what Ratis' segment cache holds). */
  private static long pachydermLogBytes(RaftServer server) throws Exception {
    RaftServer.Division division = server.getDivision(server.getGroupIds().iterator().next());
    RaftLog log = division.getRaftLog();
    long bytes = 0;
    for (long i = log.getStartIndex(); i <= log.getLastEntryTermIndex().getIndex(); i++) {
      LogEntryProto e = log.get(i);
      if (e != null && e.hasStateMachineLogEntry()) {
        bytes += e.getStateMachineLogEntry().getLogData().size();
      }
    }
    return bytes;
  }
}
