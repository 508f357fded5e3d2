package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.api.Reply;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: a state-replacing entity's state is written into the log once; the entity quota. */
class BoundedResourcesLocalTest {
  /** Each event holds the whole new state; the default reply is that state. */
  static final class Blob implements Entity<Blob.State, Blob.Command, Blob.Event> {
    record State(String content) {}

    sealed interface Command permits Replace {}

    record Replace(String content) implements Command {}

    sealed interface Event permits Replaced {}

    record Replaced(String content) implements Event {}

    @Override
    public State initial(String id) {
      return new State("");
    }

    @Override
    public Decision<Event> handle(Command command, State state, Context ctx) {
      return Decision.emit(new Replaced(((Replace) command).content()));
    }

    @Override
    public State apply(Event event, State state) {
      return new State(((Replaced) event).content());
    }

    static final EntityType<State, Command, Event> TYPE =
        EntityType.builder("blob", new Blob(), State.class, Command.class, Event.class).build();
  }

  @TempDir
  Path dir;

  @Test
  void aStateReplacingCallWritesItsStateIntoTheLogOnceAndStillRepliesWithTheNewState() throws Exception {
    int calls = 10;
    int stateBytes = 100_000;
    EntityRef<Blob.State, Blob.Command> ref = Blob.TYPE.ref("doc");
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(Blob.TYPE)).open()) {
      for (int i = 0; i < calls; i++) {
        String content = Integer.toString(i).repeat(stateBytes / Integer.toString(i).length());
        Reply<Blob.State> reply = local.call(ref, new Blob.Replace(content));
        assertThat(reply.version()).isEqualTo(i + 1);
        assertThat(reply.value()).isEqualTo(new Blob.State(content));
      }
      long logged = pachydermLogBytes(local.node().raftServer());
      // Before: each entry held the content in the event and again in the reply (~2 x 100 KB).
      assertThat(logged).isGreaterThan((long) calls * stateBytes).isLessThan((long) calls * stateBytes * 3 / 2);
    }
  }

  @Test
  void aCommandThatWouldCreateAnEntityOverTheEcosystemsQuotaIsRejectedNamingEcosystemAndQuota() {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(EntityTypes.of(Blob.TYPE))
        .entitiesPerEcosystemMax(2).open()) {
      local.call(Blob.TYPE.ref("a"), new Blob.Replace("1"));
      local.call(Blob.TYPE.ref("b"), new Blob.Replace("2"));
      assertThatThrownBy(() -> local.call(Blob.TYPE.ref("c"), new Blob.Replace("3")))
          .isInstanceOfSatisfying(CommandRejectedException.class,
              e -> assertThat(e.kind()).isEqualTo(RejectionKind.LIMIT_EXCEEDED))
          .hasMessageContaining("ecosystem 'default'")
          .hasMessageContaining("entitiesPerEcosystemMax = 2");
      assertThat(local.query(Blob.TYPE.ref("c")).version()).isZero();
      assertThat(local.call(Blob.TYPE.ref("a"), new Blob.Replace("again")).version()).isEqualTo(2);
      assertThat(local.ecosystem("other").call(Blob.TYPE.ref("c"), new Blob.Replace("3")).version()).isEqualTo(1);
    }
    assertThatThrownBy(() -> LocalPachyderm.builder(dir).entitiesPerEcosystemMax(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entitiesPerEcosystemMax");
  }

  @Test
  void aSnapshotCarriesTheTrimmedDeDuplicationTableAndTheRestartedNodeLoadsItWithTheSameDigest() throws Exception {
    java.util.List<io.pachyderm.client.Peer> peers =
        java.util.List.of(new io.pachyderm.client.Peer("n1", "127.0.0.1:" + TestCluster.freePort()));
    // Two replies kept: of five calls, three keep only their versions.
    io.pachyderm.node.internal.StateMachineLimits limits = new io.pachyderm.node.internal.StateMachineLimits(
        200_000, 1 << 20, 8 << 20, 1024, 10_000,
        io.pachyderm.node.internal.ReplicatedTableLimits.DEFAULT.withDedup(1 << 20, 2, 1 << 20));
    EntityRef<Blob.State, Blob.Command> ref = Blob.TYPE.ref("doc");
    AppliedDigest before;
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir).entityTypes(EntityTypes.of(Blob.TYPE))
        .limits(limits).build().start();
         io.pachyderm.client.PachydermClient client = io.pachyderm.client.PachydermClient.builder(peers)
             .entityTypes(EntityTypes.of(Blob.TYPE)).build()) {
      awaitReady(node);
      for (int i = 1; i <= 5; i++) {
        assertThat(client.call(ref, new Blob.Replace("v" + i)).value()).isEqualTo(new Blob.State("v" + i));
      }
      node.takeSnapshot();
      before = node.appliedDigest();
    }
    try (PachydermNode node = PachydermNode.builder("n1", peers, dir).entityTypes(EntityTypes.of(Blob.TYPE))
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
