package io.pachyderm.node.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Conflict;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.EventFolder;
import io.pachyderm.runtime.Execution;
import io.pachyderm.storage.SnapshotReader;
import io.pachyderm.storage.SnapshotWriter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine whose log is the entity event log (DESIGN.md section 2).
 *
 * <p>Leader path ({@link #startTransaction}, concurrent on Ratis' request threads): take the lanes
 * of the batch's entities, run {@code handle} and {@code apply} for each command against the
 * working state (applied state, or this term's speculative state when newer), and build one
 * {@link LogEntry} holding a {@link Record} per command. Lanes are released once the entry is in
 * the log ({@link #preAppendTransaction}) or the transaction is cancelled.
 *
 * <p>Apply path ({@link #applyTransaction}, one thread, log order, every replica): per record,
 * answer duplicates from the {@link DedupTable}, check {@code expected_version}, fold the events,
 * remember the outcome, and, on the node that appended the entry, hand effects to the
 * {@link EffectDispatcher}. Domain errors become outcomes; a record that cannot be applied on a
 * replica (unknown type, undecodable event) is a broken invariant and stops this replica.
 *
 * <p>Speculative state race, and why the read order matters: the apply thread first publishes
 * the applied state, then removes the speculation it caught up with. A leader thread therefore
 * reads the speculation first and the applied state second:
 * <ol>
 *   <li>speculation present: it is at least as new as anything applied, use the newer of the two;
 *   <li>speculation absent: it was removed after the applied state was published, so the applied
 *       state read next is current.
 * </ol>
 */
public final class EntityStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(EntityStateMachine.class);

  private final String nodeId;
  private final EntityTypes types;
  private final StateMachineLimits limits;
  private final EffectDispatcher effects;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final Map<EntityKey, Versioned> entities = new ConcurrentHashMap<>();
  private final DedupTable dedup;
  private final Lanes lanes = new Lanes(4096);
  private final Map<EntityKey, Speculation> speculative = new ConcurrentHashMap<>();
  private final AtomicLong conflicts = new AtomicLong();
  private volatile long readyTerm = -1;
  private volatile RaftServer.Division division;

  /** State the leader computed for an entity in {@code term}, not yet applied. */
  private record Speculation(Versioned value, long term) {}

  public EntityStateMachine(String nodeId, EntityTypes types, StateMachineLimits limits,
                            Map<String, io.pachyderm.entity.EffectHandler<?>> effectHandlers) {
    this.nodeId = nodeId;
    this.types = types;
    this.limits = limits;
    this.dedup = new DedupTable(limits.dedupEntriesMax());
    this.effects = new EffectDispatcher(nodeId, types, effectHandlers, 2, 100_000);
  }

  // ---- life cycle ------------------------------------------------------------------

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    division = server.getDivision(groupId);
    // NEW -> STARTING -> RUNNING: snapshot installation later needs RUNNING -> PAUSING -> PAUSED.
    getLifeCycle().startAndTransition(() -> {
      storage.init(raftStorage);
      loadLatestSnapshot();
    }, IOException.class);
  }

  /**
   * Ratis pauses the state machine right before it publishes a snapshot installed from the
   * leader; the updater then asserts PAUSED and calls {@link #reinitialize()}.
   */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** After a snapshot was installed from the leader: drop everything and reload from it. */
  @Override
  public void reinitialize() throws IOException {
    speculative.clear();
    loadLatestSnapshot();
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public void close() throws IOException {
    effects.close();
    super.close();
  }

  // ---- leader: building entries ---------------------------------------------------------

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    ByteString content = request.getMessage().getContent();
    CommandBatch batch;
    try {
      batch = CommandBatch.parseFrom(content.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return failed(request, "undecodable command batch: " + e.getMessage());
    }
    if (batch.getCommandsCount() == 0 || batch.getCommandsCount() > limits.commandsPerBatchMax()) {
      return failed(request, "a batch must hold 1.." + limits.commandsPerBatchMax() + " commands, got "
          + batch.getCommandsCount());
    }
    long term = division.getInfo().getCurrentTerm();
    if (readyTerm != term) {
      return failed(request, "leader " + nodeId + " is not ready in term " + term
          + " (earlier entries still being applied); retry");
    }
    List<EntityKey> keys = new ArrayList<>(batch.getCommandsCount());
    for (Command c : batch.getCommandsList()) {
      keys.add(Protos.key(c.getRef()));
    }
    int[] stripes = lanes.stripesOf(keys);
    try {
      if (!lanes.acquire(stripes, limits.laneWaitMs())) {
        return failed(request, "entity lanes busy for " + limits.laneWaitMs() + " ms on " + nodeId + "; retry");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(request, "interrupted");
    }
    LeaderBatch ctx = new LeaderBatch(term, stripes, List.copyOf(new LinkedHashSet<>(keys)));
    try {
      LogEntry entry = buildEntry(batch, keys, term);
      return TransactionContext.newBuilder()
          .setStateMachine(this)
          .setClientRequest(request)
          .setLogData(UnsafeByteOperations.unsafeWrap(entry.toByteArray()))
          .setStateMachineContext(ctx)
          .build();
    } catch (RuntimeException e) {
      forgetSpeculation(ctx);
      if (ctx.releaseOnce()) {
        lanes.release(stripes);
      }
      LOG.error("building a log entry failed on {}", nodeId, e);
      return failed(request, "internal error building the log entry: " + e);
    }
  }

  private LogEntry buildEntry(CommandBatch batch, List<EntityKey> keys, long term) {
    LogEntry.Builder entry = LogEntry.newBuilder();
    long entryBytes = 0;
    long nowMs = System.currentTimeMillis();
    for (int i = 0; i < batch.getCommandsCount(); i++) {
      Command command = batch.getCommands(i);
      Record record = decide(command, keys.get(i), term, nowMs);
      int size = record.getSerializedSize();
      if (entryBytes + size > limits.entryBytesMax()) {
        // Keep the entry replicable. The command is deferred, not rejected: apply answers
        // Conflict and the client sends it again in a later batch.
        forgetSpeculation(keys.get(i));
        record = Record.newBuilder().setRequestId(command.getRequestId()).setRef(command.getRef())
            .setDeferred(true).build();
      }
      entryBytes += record.getSerializedSize();
      entry.addRecords(record);
    }
    return entry.build();
  }

  /** Runs one command on the leader and returns its record; never throws for user errors. */
  private Record decide(Command command, EntityKey key, long term, long nowMs) {
    RequestKey requestKey = RequestKey.of(command.getRequestId());
    if (dedup.get(requestKey) != null) {
      return Record.newBuilder().setRequestId(command.getRequestId()).setRef(command.getRef())
          .setLookupOnly(true).build();
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return rejected(command, RejectionKind.UNKNOWN_ENTITY_TYPE, "no entity type '" + key.type()
          + "' is registered on node " + nodeId + "; registered: " + types.names());
    }
    String invalid = validate(key);
    if (invalid != null) {
      return rejected(command, RejectionKind.INVALID_REQUEST, invalid);
    }
    Versioned base = workingState(key, type, term);
    CommandExecutor.Request request = new CommandExecutor.Request(key, Protos.encoded(command.getPayload()),
        nowMs, seed(requestKey), command.getReplyWanted());
    Execution execution = CommandExecutor.execute(type, base.state(), base.version(), request, effects::hasHandler, types);
    if (execution instanceof Execution.Rejected r) {
      return rejected(command, r.kind(), r.message());
    }
    Execution.Accepted a = (Execution.Accepted) execution;
    Record record = acceptedRecord(command, base.version(), a, nowMs);
    if (record.getSerializedSize() > limits.recordBytesMax()) {
      return rejected(command, RejectionKind.TOO_LARGE, "the record of " + key + " is "
          + record.getSerializedSize() + " bytes, more than the limit of " + limits.recordBytesMax());
    }
    if (a.newVersion() != base.version()) {
      speculative.put(key, new Speculation(new Versioned(a.newState(), a.newVersion()), term));
    }
    return record;
  }

  private static Record acceptedRecord(Command command, long expectedVersion, Execution.Accepted a, long nowMs) {
    Record.Builder r = Record.newBuilder()
        .setRequestId(command.getRequestId())
        .setRef(command.getRef())
        .setExpectedVersion(expectedVersion)
        .setTimestampMs(nowMs);
    for (Encoded e : a.events()) {
      r.addEvents(Protos.payload(e));
    }
    for (var effect : a.effects()) {
      r.addEffects(io.pachyderm.protocol.Effect.newBuilder()
          .setHandler(effect.handler()).setPayload(Protos.payload(effect.payload())));
    }
    if (a.reply() != null) {
      r.setReply(Protos.payload(a.reply())).setReplyIsState(a.replyIsState());
    }
    return r.build();
  }

  private static Record rejected(Command command, RejectionKind kind, String message) {
    return Record.newBuilder()
        .setRequestId(command.getRequestId())
        .setRef(command.getRef())
        .setRejection(Protos.rejection(kind, message))
        .build();
  }

  private static String validate(EntityKey key) {
    try {
      EntityKey.requireValidEcosystem(key.ecosystem());
      io.pachyderm.entity.EntityRef.of(key.type(), key.id());
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** Speculation first, then applied state: see the class comment for why the order matters. */
  private Versioned workingState(EntityKey key, EntityType<?, ?, ?> type, long term) {
    Speculation s = speculative.get(key);
    Versioned applied = entities.get(key);
    if (applied == null) {
      applied = new Versioned(CommandExecutor.initialState(type, key.id()), 0);
    }
    if (s != null && s.term() == term && s.value().version() > applied.version()) {
      return s.value();
    }
    return applied;
  }

  private static long seed(RequestKey k) {
    long h = k.clientHi() * 0x9E3779B97F4A7C15L;
    h ^= k.clientLo() + 0x632BE59BD9B4E019L + (h << 6) + (h >>> 2);
    return h ^ (k.sequence() * 0xC2B2AE3D27D4EB4FL);
  }

  private TransactionContext failed(RaftClientRequest request, String message) {
    TransactionContext trx = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build();
    trx.setException(new StateMachineException(message));
    return trx;
  }

  @Override
  public TransactionContext preAppendTransaction(TransactionContext trx) throws IOException {
    if (trx.getStateMachineContext() instanceof LeaderBatch ctx && ctx.releaseOnce()) {
      lanes.release(ctx.stripes);
    }
    return trx;
  }

  @Override
  public TransactionContext cancelTransaction(TransactionContext trx) throws IOException {
    if (trx.getStateMachineContext() instanceof LeaderBatch ctx) {
      // The entry never reached the log: its speculative states must not feed later commands.
      forgetSpeculation(ctx);
      if (ctx.releaseOnce()) {
        lanes.release(ctx.stripes);
      }
    }
    return trx;
  }

  private void forgetSpeculation(LeaderBatch ctx) {
    for (EntityKey key : ctx.keys) {
      speculative.remove(key);
    }
  }

  private void forgetSpeculation(EntityKey key) {
    speculative.remove(key);
  }

  // ---- every replica: applying entries ------------------------------------------------

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto logEntry = trx.getLogEntry();
    TermIndex termIndex = TermIndex.valueOf(logEntry);
    LogEntry entry;
    try {
      entry = LogEntry.parseFrom(logEntry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(nodeId + ": log entry " + termIndex + " is not a Pachyderm entry", e);
    }
    boolean appendedHere = trx.getStateMachineContext() instanceof LeaderBatch;
    // Every replica builds the full reply, not only the leader that appended the entry: Ratis
    // replicates the client and call ids with the entry, and a client retrying after a leader
    // change is answered from the new leader's retry cache with whatever this returned.
    BatchReply.Builder reply = BatchReply.newBuilder();
    for (Record record : entry.getRecordsList()) {
      reply.addOutcomes(applyRecord(record, termIndex, appendedHere));
    }
    updateLastAppliedTermIndex(termIndex);
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.build().toByteArray())));
  }

  private Outcome applyRecord(Record record, TermIndex termIndex, boolean appendedHere) {
    RequestKey requestKey = RequestKey.of(record.getRequestId());
    Outcome known = dedup.get(requestKey);
    if (known != null) {
      return known;
    }
    Outcome.Builder outcome = Outcome.newBuilder().setRequestId(record.getRequestId());
    if (record.getDeferred()) {
      return outcome.setConflict(Conflict.getDefaultInstance()).build();
    }
    if (record.getLookupOnly()) {
      // Evicted between the leader's lookup and now: the old outcome is gone for good.
      return outcome.setRejected(Protos.rejection(RejectionKind.INVALID_REQUEST, "request "
          + requestKey + " was applied before but has left the de-duplication window")).build();
    }
    if (record.hasRejection()) {
      Outcome rejected = outcome.setRejected(record.getRejection()).build();
      dedup.remember(requestKey, rejected);
      return rejected;
    }
    EntityKey key = Protos.key(record.getRef());
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      throw new IllegalStateException(nodeId + ": entry " + termIndex + " holds events of entity type '"
          + key.type() + "' which this node does not have; registered: " + types.names());
    }
    Versioned current = entities.get(key);
    long version = current == null ? 0 : current.version();
    if (record.getExpectedVersion() != version) {
      conflicts.incrementAndGet();
      if (appendedHere) {
        forgetSpeculation(key);
      }
      return outcome.setConflict(Conflict.newBuilder()
          .setExpectedVersion(record.getExpectedVersion()).setActualVersion(version)).build();
    }
    if (record.getEventsCount() > 0) {
      Object state = current == null ? CommandExecutor.initialState(type, key.id()) : current.state();
      List<Encoded> events = new ArrayList<>(record.getEventsCount());
      for (var p : record.getEventsList()) {
        events.add(Protos.encoded(p));
      }
      EventFolder.Folded folded = EventFolder.fold(type, state, version, events);
      Versioned next = new Versioned(folded.state(), folded.version());
      entities.put(key, next);
      Speculation s = speculative.get(key);
      if (s != null && s.value().version() <= next.version()) {
        speculative.remove(key, s);
      }
      version = next.version();
    }
    Applied.Builder applied = Applied.newBuilder().setVersion(version);
    if (record.hasReply()) {
      applied.setReply(record.getReply()).setReplyIsState(record.getReplyIsState());
    }
    Outcome result = outcome.setApplied(applied).build();
    dedup.remember(requestKey, result);
    if (appendedHere && record.getEffectsCount() > 0) {
      effects.dispatch(key, version, termIndex.getIndex(), termIndex.getTerm(), record.getEffectsList());
    }
    return result;
  }

  // ---- leadership ---------------------------------------------------------------------

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    if (!groupMemberId.getPeerId().equals(newLeaderId)) {
      readyTerm = -1;
      speculative.clear();
    }
  }

  @Override
  public void notifyNotLeader(java.util.Collection<TransactionContext> pendingEntries) {
    readyTerm = -1;
    speculative.clear();
  }

  /** Every entry of earlier terms is applied: the working state starts from applied state. */
  @Override
  public void notifyLeaderReady() {
    speculative.clear();
    readyTerm = division.getInfo().getCurrentTerm();
    LOG.info("{} is leader and ready in term {}", nodeId, readyTerm);
  }

  // ---- reads --------------------------------------------------------------------------

  @Override
  public CompletableFuture<Message> query(Message request) {
    ReadRequest read;
    try {
      read = ReadRequest.parseFrom(request.getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(new StateMachineException("undecodable read request: " + e.getMessage()));
    }
    byte[] answer;
    switch (read.getKindCase()) {
      case ENTITY -> {
        EntityKey key = Protos.key(read.getEntity());
        EntityType<?, ?, ?> type = types.find(key.type());
        if (type == null) {
          return CompletableFuture.failedFuture(new StateMachineException("UNKNOWN_ENTITY_TYPE: no entity type '"
              + key.type() + "' is registered on node " + nodeId + "; registered: " + types.names()));
        }
        Versioned v = entities.get(key);
        EntityRead.Builder b = EntityRead.newBuilder();
        if (v != null) {
          b.setVersion(v.version()).setState(Protos.payload(type.codec().encode(v.state())));
        }
        answer = b.build().toByteArray();
      }
      case STATUS -> answer = status().toByteArray();
      default -> {
        return CompletableFuture.failedFuture(new StateMachineException("empty read request"));
      }
    }
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(answer)));
  }

  private NodeStatus status() {
    TermIndex applied = getLastAppliedTermIndex();
    SingleFileSnapshotInfo snap = storage.getLatestSnapshot();
    return NodeStatus.newBuilder()
        .setNodeId(nodeId)
        .setAppliedIndex(applied == null ? 0 : Math.max(0, applied.getIndex()))
        .setAppliedTerm(applied == null ? 0 : applied.getTerm())
        .setEntities(entities.size())
        .setDedupEntries(dedup.size())
        .setSnapshotIndex(snap == null ? 0 : snap.getIndex())
        .build();
  }

  // ---- snapshots ----------------------------------------------------------------------

  /** Runs on the apply thread (Ratis' StateMachineUpdater), so the state is still. */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    EntityKey[] keys = entities.keySet().toArray(new EntityKey[0]);
    Arrays.sort(keys);
    SnapshotHeader header = SnapshotHeader.newBuilder()
        .setFormatVersion(SnapshotWriter.FORMAT_VERSION)
        .setLastAppliedTerm(last.getTerm())
        .setLastAppliedIndex(last.getIndex())
        .setEntities(keys.length)
        .setDedupEntries(dedup.size())
        .build();
    try (SnapshotWriter writer = new SnapshotWriter(file.toPath(), header)) {
      for (EntityKey key : keys) {
        Versioned v = entities.get(key);
        EntityType<?, ?, ?> type = types.find(key.type());
        writer.writeEntity(EntitySnapshot.newBuilder()
            .setRef(Protos.ref(key))
            .setVersion(v.version())
            .setState(Protos.payload(type.codec().encode(v.state())))
            .build());
      }
      IOException[] failure = new IOException[1];
      dedup.forEach((k, o) -> {
        if (failure[0] == null) {
          try {
            writer.writeDedup(DedupSnapshot.newBuilder().setRequestId(k.toProto()).setOutcome(o).build());
          } catch (IOException e) {
            failure[0] = e;
          }
        }
      });
      if (failure[0] != null) {
        throw failure[0];
      }
      writer.commit();
    }
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    LOG.info("{} took snapshot at {} ({} entities, {} dedup entries)", nodeId, last, keys.length, dedup.size());
    return last.getIndex();
  }

  private void loadLatestSnapshot() throws IOException {
    SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
    entities.clear();
    dedup.clear();
    if (snapshot == null) {
      return;
    }
    Path path = snapshot.getFile().getPath();
    if (!Files.exists(path)) {
      throw new IOException(nodeId + ": latest snapshot file " + path + " is missing");
    }
    MD5Hash md5 = snapshot.getFile().getFileDigest();
    if (md5 != null) {
      MD5FileUtil.verifySavedMD5(path.toFile(), md5);
    }
    try (SnapshotReader reader = new SnapshotReader(path)) {
      SnapshotHeader header = reader.header();
      for (EntitySnapshot e = reader.nextEntity(); e != null; e = reader.nextEntity()) {
        EntityKey key = Protos.key(e.getRef());
        EntityType<?, ?, ?> type = types.find(key.type());
        if (type == null) {
          throw new IOException(nodeId + ": snapshot " + path + " holds entity type '" + key.type()
              + "' which this node does not have; registered: " + types.names());
        }
        entities.put(key, new Versioned(type.codec().decode(Protos.encoded(e.getState())), e.getVersion()));
      }
      for (DedupSnapshot d = reader.nextDedup(); d != null; d = reader.nextDedup()) {
        dedup.remember(RequestKey.of(d.getRequestId()), d.getOutcome());
      }
      reader.verify();
      TermIndex last = TermIndex.valueOf(header.getLastAppliedTerm(), header.getLastAppliedIndex());
      if (!last.equals(snapshot.getTermIndex())) {
        throw new IOException(path + ": header says " + last + " but the file name says " + snapshot.getTermIndex());
      }
      setLastAppliedTermIndex(last);
      LOG.info("{} loaded snapshot {} ({} entities, {} dedup entries)", nodeId, last, entities.size(), dedup.size());
    }
  }

  // ---- observability for the node and tests -------------------------------------------

  long conflictCount() {
    return conflicts.get();
  }

  public long effectsDispatched() {
    return effects.dispatchedCount();
  }

  public Set<EntityKey> entityKeys() {
    return Set.copyOf(entities.keySet());
  }
}
