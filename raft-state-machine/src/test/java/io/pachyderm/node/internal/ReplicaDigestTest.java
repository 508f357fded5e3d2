package io.pachyderm.node.internal;

import io.pachyderm.node.settings.NodeLimits;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.OutMessage;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.runtime.EntityKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replica digest: equal on replicas that apply the same log, different from the first index
 * where one of them holds another state, even with equal versions.
 */
class ReplicaDigestTest {
  /** A tally whose apply adds a per-replica offset: zero is deterministic, anything else is planted non-determinism. */
  static final class Tally implements Entity<Tally.State, Tally.Command, Tally.Event> {
    record State(long total) {}

    sealed interface Command permits Add {}

    record Add(long by) implements Command {}

    sealed interface Event permits Added {}

    record Added(long by) implements Event {}

    private final long offset;

    Tally(long offset) {
      this.offset = offset;
    }

    @Override
    public State initial(String id) {
      return new State(0);
    }

    @Override
    public Decision<Event> handle(Command command, State state, Context ctx) {
      return Decision.emit(new Added(((Add) command).by()));
    }

    @Override
    public State apply(Event event, State state) {
      return new State(state.total() + ((Added) event).by() + offset);
    }

    static EntityType<State, Command, Event> type(long offset) {
      return EntityType.builder("tally", new Tally(offset), State.class, Command.class, Event.class).build();
    }
  }

  private final ClientId clientId = ClientId.randomId();
  private final List<EntityStateMachine> machines = new ArrayList<>();
  private long sequence;

  @AfterEach
  void close() throws Exception {
    for (EntityStateMachine m : machines) {
      m.close();
    }
  }

  @Test
  void replicasApplyingTheSameLogReportTheSameDigestAtEveryIndex() throws Exception {
    EntityStateMachine a = machine(0, 200_000);
    EntityStateMachine b = machine(0, 200_000);
    List<LogEntryProto> log = log(2_500);
    long previous = a.digestAt().digest();
    for (LogEntryProto entry : log) {
      apply(a, entry);
      apply(b, entry);
      assertThat(a.digestAt()).isEqualTo(b.digestAt());
      assertThat(a.digestAt().applied().getIndex()).isEqualTo(entry.getIndex());
      assertThat(a.digestAt().digest()).as("every entry changes some state").isNotEqualTo(previous);
      previous = a.digestAt().digest();
    }
    NodeStatus sa = status(a);
    NodeStatus sb = status(b);
    assertThat(sa.getDigest()).isEqualTo(a.digestAt().digest());
    assertThat(sa.getDigestCheckpointsList()).extracting(c -> c.getIndex()).hasSize(25).startsWith(100L, 200L)
        .endsWith(2_500L);
    assertThat(sa.getDigestCheckpointsList()).isEqualTo(sb.getDigestCheckpointsList());
    assertThat(sa.getPendingMessages()).as("the log sends messages: the outbox is part of the state").isPositive();
  }

  @Test
  void aPlantedNonDeterministicApplyChangesTheDigestAtTheFirstEntryItTouchesThoughVersionsAgree() throws Exception {
    EntityStateMachine honest = machine(0, 200_000);
    EntityStateMachine planted = machine(1, 200_000);
    List<LogEntryProto> log = log(50);
    for (LogEntryProto entry : log) {
      apply(honest, entry);
      apply(planted, entry);
      assertThat(planted.digestAt().digest()).as("at index %s", entry.getIndex())
          .isNotEqualTo(honest.digestAt().digest());
    }
    assertThat(status(planted).getEntities()).isEqualTo(status(honest).getEntities());
    assertThat(planted.conflictCount()).isZero(); // same versions everywhere: only the digest tells them apart
    assertThat(honest.conflictCount()).isZero();
  }

  @Test
  void theDeDuplicationTableIsPartOfTheDigest() throws Exception {
    EntityStateMachine keepsAll = machine(0, 200_000);
    EntityStateMachine keepsTen = machine(0, 10);
    List<LogEntryProto> log = log(20);
    for (int i = 0; i < log.size(); i++) {
      apply(keepsAll, log.get(i));
      apply(keepsTen, log.get(i));
      // Each entry remembers two requests: the tables first differ when the small one evicts.
      if (2 * (i + 1) <= 10) {
        assertThat(keepsTen.digestAt()).isEqualTo(keepsAll.digestAt());
      } else {
        assertThat(keepsTen.digestAt().digest()).isNotEqualTo(keepsAll.digestAt().digest());
      }
    }
  }

  private EntityStateMachine machine(long offset, int dedupEntriesMax) {
    EntityStateMachine m = TestMachines.plain("n" + machines.size(), EntityTypes.of(Tally.type(offset)),
        new NodeLimits(dedupEntriesMax, 1 << 20, 8 << 20, 1024, 10_000));
    machines.add(m);
    return m;
  }

  /**
   * Entries at indexes 1..n, each with two commands: one adds to an entity of eight, one adds to
   * another and sends it a message, so entities, the de-duplication table and the outbox all change.
   */
  private List<LogEntryProto> log(int n) {
    List<LogEntryProto> entries = new ArrayList<>();
    long[] versions = new long[8];
    for (int index = 1; index <= n; index++) {
      LogEntry.Builder entry = LogEntry.newBuilder();
      int first = index % 8;
      int second = (index + 3) % 8;
      entry.addRecords(record(first, versions[first]++, index, false));
      entry.addRecords(record(second, versions[second]++, 1, true));
      entries.add(LogEntryProto.newBuilder().setTerm(1).setIndex(index)
          .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
              .setLogData(UnsafeByteOperations.unsafeWrap(entry.build().toByteArray()))
              .setClientId(clientId.toByteString()).setCallId(index))
          .build());
    }
    return entries;
  }

  private Record record(int entity, long expectedVersion, long by, boolean sends) {
    EntityKey key = new EntityKey("default", "tally", "t" + entity);
    Record.Builder r = Record.newBuilder()
        .setRequestId(RequestId.newBuilder().setClientHi(1).setClientLo(2).setSequence(++sequence))
        .setRef(Protos.ref(key))
        .setExpectedVersion(expectedVersion)
        .addEvents(Protos.payload(Tally.type(0).codec().encode(new Tally.Added(by))))
        .setTimestampMs(1);
    if (sends) {
      r.addMessages(OutMessage.newBuilder().setTo(Protos.ref(new EntityKey("default", "tally", "inbox")))
          .setPayload(Protos.payload(Tally.type(0).codec().encode(new Tally.Add(by)))));
    }
    return r.build();
  }

  private static void apply(EntityStateMachine m, LogEntryProto entry) throws Exception {
    TransactionContext trx = TransactionContext.newBuilder().setStateMachine(m).setServerRole(RaftPeerRole.FOLLOWER)
        .setLogEntry(entry).build();
    m.applyTransaction(trx).get();
  }

  private static NodeStatus status(EntityStateMachine m) throws Exception {
    Message reply = m.query(Message.valueOf(UnsafeByteOperations.unsafeWrap(ReadRequest.newBuilder()
        .setStatus(true).build().toByteArray()))).get();
    return NodeStatus.parseFrom(io.pachyderm.protocol.ReadReply.parseFrom(reply.getContent().asReadOnlyByteBuffer())
        .getResult());
  }
}
