package io.pachyderm.node.internal;

import io.pachyderm.node.settings.NodeLimits;
import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.EffectRetry;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.status.OutboxStats;
import io.pachyderm.node.settings.QueueLimits;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.Outbox;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.StateStore;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.storage.journal.JournalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine whose log is the entity event log (DESIGN.md section 2): an adapter that
 * holds no entity rules. It feeds entries into the {@link Replica} (the rules, with no IO) and
 * carries each {@link Applied} out: to the journal and the history followers, the effect
 * dispatcher, the leader's work loop, the metrics and the waiting clients.
 *
 * <p>Leader path ({@link #startTransaction}, concurrent on Ratis' request threads): Ratis' checks
 * here (who may propose what, leader readiness, free disk), then {@link LeaderEntries} takes the
 * lanes and has the {@link Decider} build the entry. Lanes are released once the entry is in the
 * log ({@link #preAppendTransaction}) or the transaction is cancelled.
 *
 * <p>Apply path ({@link #applyTransaction}, one thread, log order, every replica): {@link
 * Replica#apply}, then the IO its result asks for. A broken invariant stops this replica
 * (fail-stop). Reads are {@link NodeReads}'; snapshot files are {@link SnapshotStore}'s.
 */
public final class EntityStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(EntityStateMachine.class);

  private final String nodeId;
  private final EffectDispatcher effects;
  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final Replica replica;
  private final StateStore store;
  private final LeaderEntries leaderEntries;
  private final LeaderWork leaderWork;
  private final InternalProposer proposer;
  private final NodeReads reads;
  private final SnapshotStore snapshots;
  private volatile long readyTerm = -1;
  private final NodeJournal journal;
  private final AppliedCarrier carrier;
  private final HistoryWaiters historyWaiters;
  private final QueryRunner queries;
  private final long logEntriesKeptForLaggingNodesMax;
  private volatile RaftServer server;
  private volatile RaftServer.Division division;
  private final DigestPublisher digests;
  /** Set once the node has started, and when it closes on purpose: see {@link #close()}. */
  private volatile boolean running;
  private volatile boolean closeRequested;
  /** Side outputs only: nothing on the apply path reads them back. */
  private final NodeMetrics metrics;
  /** The thread that applies entries, once one has: liveness asks whether it still runs. */
  private volatile Thread applyThread;
  /** Where a fatal error goes; the node replaces the default (mark failed, rethrow) with its policy. */
  private volatile FailStop failStop;
  /** Null when no free-space check runs (a bare state machine in tests). */
  private volatile DiskReserve diskReserve;
  /** The leader's clock (the time its records carry, when timers are due); replaceable before the server starts. */
  private volatile LongSupplier clockMs = System::currentTimeMillis;

  /** The replica digest of the state at {@code applied}. */
  public record DigestAt(TermIndex applied, long digest) {}

  /**
   * @param store where the replica keeps entity states; opened as the server starts, and closed
   *     (when {@link AutoCloseable}) when Ratis closes this state machine, after the last apply
   */
  public EntityStateMachine(String nodeId, EntityTypes types, NodeLimits limits,
                            Map<String, EffectHandler<?>> effectHandlers, EffectRetry effectRetry,
                            int timerFiresPerSecondMax, Path journalDir, JournalOptions journalOptions,
                            long logEntriesKeptForLaggingNodesMax, NodeMetrics metrics, QueueLimits queueLimits,
                            StateStore store) {
    this.metrics = metrics;
    this.store = Objects.requireNonNull(store, "state store");
    this.logEntriesKeptForLaggingNodesMax = logEntriesKeptForLaggingNodesMax;
    this.nodeId = nodeId;
    this.journal = new NodeJournal(nodeId, journalDir, journalOptions);
    this.digests = new DigestPublisher(nodeId);
    this.historyWaiters = new HistoryWaiters(nodeId, 10_000);
    this.queries = new QueryRunner(nodeId);
    // Without a journal directory nothing keeps the per-event journal records: the replica builds none.
    this.replica = new Replica(nodeId, types, store, limits.dedupEntriesMax(),
        ReplicaLimits.tables(limits),
        journalDir != null);
    this.effects = new EffectDispatcher(nodeId, types, metrics.counting(effectHandlers),
        queueLimits.effectHandlerThreadsMax(), queueLimits.effectsQueuedPerHandlerMax());
    Decider decider = new Decider(nodeId, types, effects::hasHandler, limits.recordBytesMax(), limits.entryBytesMax());
    this.leaderEntries = new LeaderEntries(nodeId, replica, decider, limits, this::nowMs);
    this.proposer = new InternalProposer(nodeId, queueLimits, () -> server, () -> division);
    this.failStop = new FailStop(nodeId, FatalErrorPolicy.STOP_NODE);
    this.leaderWork = new LeaderWork(nodeId, replica.outbox(), proposer::submit,
        (source, effect, ctx) -> effects.invoke(source, effect.getHandler(), effect.getPayload(), ctx),
        this::isReadyLeaderNow, effectRetry, timerFiresPerSecondMax, queueLimits, effectHandlers.keySet(),
        NodeClock.withWallClock(this::nowMs), new java.util.SplittableRandom(),
        error -> this.failStop.fatal("the leader's work loop", error)).start();
    this.carrier = new AppliedCarrier(nodeId, leaderWork, effects, metrics, historyWaiters, journal::get);
    this.snapshots = new SnapshotStore(nodeId, storage, replica, metrics, types, store);
    this.reads = new NodeReads(nodeId, types, replica, journal::get, journalOptions, queueLimits, historyWaiters,
        queries, new RaftStatus(() -> division, digests, snapshots::latestIndex, leaderWork::isActive));
  }

  /** The node's fail-stop policy; call before the server starts. */
  public void failStop(FailStop failStop) {
    this.failStop = java.util.Objects.requireNonNull(failStop, "fail stop");
  }

  public FailStop failStop() {
    return failStop;
  }

  /** Refuse writes while the node's storage is below its reserve; call before the server starts. */
  public void diskReserve(DiskReserve reserve) {
    this.diskReserve = reserve;
  }

  // ---- life cycle ------------------------------------------------------------------

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    this.server = server;
    division = server.getDivision(groupId);
    // NEW -> STARTING -> RUNNING: snapshot installation later needs RUNNING -> PAUSING -> PAUSED.
    getLifeCycle().startAndTransition(() -> {
      InstallLeftovers.repair(nodeId, raftStorage.getStorageDir().getStateMachineDir().toPath());
      storage.init(raftStorage);
      // Here rather than when the node is built: Ratis holds the data directory's lock by now.
      StateStores.openAtStart(nodeId, store);
      try {
        journal.openWhile(this::loadLatestSnapshot);
      } catch (IOException | RuntimeException e) {
        StateStores.closeAfterFailedStart(nodeId, store, e);
        throw e;
      }
      journal.markGap(getLastAppliedTermIndex());
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
    leaderEntries.clearSpeculation();
    loadLatestSnapshot();
    journal.markGap(getLastAppliedTermIndex());
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** The node started; from now on a close nobody asked for is a failure. */
  public void running() {
    running = true;
  }

  /** The node is closing the Raft server on purpose (its close, or a start that failed). */
  public void closeRequested() {
    closeRequested = true;
  }

  @Override
  public void close() throws IOException {
    if (running && !closeRequested) {
      // Ratis closes the server itself when its updater catches a Throwable outside
      // applyTransaction (a late InternalError from a faulting mapped write surfaces in Ratis'
      // own code: seen in a chaos storage run) or its log worker fails; the JVM would stay up
      // serving nothing. That is a fatal error like any other.
      failStop.fatal("the Raft server", new IllegalStateException(nodeId + ": Ratis closed the Raft server on its"
          + " own, after an error it caught (logged just before)"));
    }
    leaderWork.close();
    proposer.close();
    effects.close();
    historyWaiters.close();
    queries.close();
    journal.close();
    super.close();
    // Ratis closes the state machine once its apply loop has stopped: nothing writes the store now.
    closeStateStore();
  }

  /** The store of applied states (for {@link NodeInternals#stateStore}). */
  StateStore stateStore() {
    return store;
  }

  /** Closes the state store (a DISK store's RocksDB); also for a node whose start failed before Ratis ran. */
  public void closeStateStore() {
    StateStores.close(nodeId, store);
  }

  /** The leader's clock, for the records it builds and the timers it fires; call before the server starts. */
  public void clock(LongSupplier clockMs) {
    this.clockMs = Objects.requireNonNull(clockMs, "clock");
  }

  private long nowMs() {
    return clockMs.getAsLong();
  }

  // ---- leader: building entries ---------------------------------------------------------

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    long arrivalNs = System.nanoTime();
    ByteString content = request.getMessage().getContent();
    CommandBatch batch;
    try {
      batch = CommandBatch.parseFrom(content.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return failed(request, "undecodable command batch: " + e.getMessage());
    }
    String invalid = leaderEntries.invalidShape(batch);
    if (invalid != null) {
      return failed(request, invalid);
    }
    if (LeaderEntries.isInternalWork(batch) && !proposer.isInternal(request.getClientId())) {
      return failed(request, "deliveries, timer fires and effect reports are proposed by the leader itself, "
          + "not by clients");
    }
    long term = division.getInfo().getCurrentTerm();
    if (readyTerm != term) {
      return failed(request, "leader " + nodeId + " is not ready in term " + term
          + " (earlier entries still being applied); retry");
    }
    DiskReserve reserve = diskReserve;
    String storageFull = reserve == null ? null : reserve.shortfall(System.nanoTime());
    if (storageFull != null) {
      // Before anything reaches the log: a write the disk cannot hold would stop the node (fail-stop).
      return refused(request, new io.pachyderm.cluster.internal.StorageFullRefusal(storageFull));
    }
    LeaderEntries.Result result = leaderEntries.build(batch, term, arrivalNs);
    if (result instanceof LeaderEntries.Refused refused) {
      return failed(request, refused.message());
    }
    LeaderEntries.Built built = (LeaderEntries.Built) result;
    return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
        .setLogData(UnsafeByteOperations.unsafeWrap(built.entry().toByteArray()))
        .setStateMachineContext(built.batch()).build();
  }

  private TransactionContext failed(RaftClientRequest request, String message) {
    return refused(request, new StateMachineException(message));
  }

  private TransactionContext refused(RaftClientRequest request, Exception why) {
    TransactionContext trx = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build();
    trx.setException(why);
    return trx;
  }

  @Override
  public TransactionContext preAppendTransaction(TransactionContext trx) throws IOException {
    if (trx.getStateMachineContext() instanceof LeaderBatch ctx) {
      leaderEntries.appended(ctx);
    }
    return trx;
  }

  @Override
  public TransactionContext cancelTransaction(TransactionContext trx) throws IOException {
    if (trx.getStateMachineContext() instanceof LeaderBatch ctx) {
      leaderEntries.cancelled(ctx);
    }
    return trx;
  }

  // ---- every replica: applying entries ------------------------------------------------

  /**
   * Fail-stop (issue 12): any {@code Throwable} here (a journal write that failed for lack of space,
   * an {@code OutOfMemoryError}, a broken invariant) leaves this replica's state behind its log, so
   * it must not apply another entry; the node's policy halts the JVM or stops the node, and the
   * rethrow ends Ratis' apply loop. After a fatal error nothing is applied any more.
   */
  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    FailStop f = failStop;
    if (f.failed()) {
      throw new IllegalStateException(nodeId + " stopped after a fatal error and applies nothing: " + f.failure());
    }
    try {
      return applyEntry(trx);
    } catch (Throwable t) {
      f.fatal("applying log entry " + TermIndex.valueOf(trx.getLogEntry()), t);
      throw t;
    }
  }

  /**
   * Ratis' log worker failed to write or roll the Raft log (its disk is full or failing): it fails
   * every later write too, while this node keeps heartbeating as leader, so nobody takes over.
   */
  @Override
  public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
    String where = failedEntry == null ? "writing the Raft log"
        : "writing Raft log entry " + TermIndex.valueOf(failedEntry);
    failStop.fatal(where, cause);
  }

  private CompletableFuture<Message> applyEntry(TransactionContext trx) {
    if (applyThread != Thread.currentThread()) {
      applyThread = Thread.currentThread();
    }
    LogEntryProto logEntry = trx.getLogEntry();
    TermIndex termIndex = TermIndex.valueOf(logEntry);
    LogEntry entry;
    try {
      entry = LogEntry.parseFrom(logEntry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(nodeId + ": log entry " + termIndex + " is not a Pachyderm entry", e);
    }
    LeaderBatch appendedBy = trx.getStateMachineContext() instanceof LeaderBatch b ? b : null;
    boolean appendedHere = appendedBy != null;
    Applied applied = replica.apply(termIndex.getTerm(), termIndex.getIndex(), entry, appendedHere);
    // The replica has published the applied states: only now may speculation they caught up with go.
    leaderEntries.applied(applied);
    carrier.carry(applied, termIndex, appendedBy);
    updateLastAppliedTermIndex(termIndex);
    return CompletableFuture.completedFuture(NodeReads.message(applied.reply()));
  }

  /** Whether at-least-once effects are paused in this node's applied state. */
  public boolean effectsPaused() {
    return replica.effectsPaused();
  }

  // ---- leadership ---------------------------------------------------------------------

  /** Ratis' own view, which can be ahead of the notifications that deactivate the work loop. */
  private boolean isReadyLeaderNow() {
    RaftServer.Division d = division;
    return d != null && d.getInfo().isLeader() && d.getInfo().isLeaderReady()
        && readyTerm == d.getInfo().getCurrentTerm();
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    if (newLeaderId != null) {
      metrics.leaderChanged();
    }
    if (!groupMemberId.getPeerId().equals(newLeaderId)) {
      notifyNotLeader(java.util.List.of());
    }
  }

  @Override
  public void notifyNotLeader(java.util.Collection<TransactionContext> pendingEntries) {
    readyTerm = -1;
    leaderEntries.clearSpeculation();
    leaderWork.deactivate();
  }

  /** Every entry of earlier terms is applied: the working state starts from applied state. */
  @Override
  public void notifyLeaderReady() {
    leaderEntries.clearSpeculation();
    readyTerm = division.getInfo().getCurrentTerm();
    // Ratis calls this on the apply thread: the outbox the work loop rescans is the applied one.
    leaderWork.activate();
    LOG.info("{} is leader and ready in term {}", nodeId, readyTerm);
  }

  // ---- reads --------------------------------------------------------------------------

  @Override
  public CompletableFuture<Message> query(Message request) {
    return reads.query(request);
  }

  // ---- snapshots ----------------------------------------------------------------------

  /**
   * Called only on the apply thread, between two entries, so the state is still without a lock:
   * Ratis 3.3.0 calls {@code StateMachine.takeSnapshot} from its {@code StateMachineUpdater}
   * thread alone (every {@code snapshotAutoTriggerThreshold} entries, at stop, and on a
   * {@code snapshotManagement} request, which is how {@code PachydermNode.takeSnapshot} asks for
   * one). From any other thread it would race the apply thread (1. this notes applied index 6;
   * 2. the apply thread applies entry 7 to the store; 3. a DISK checkpoint holds entry 7 labelled
   * 6, and the replay after a restart applies 7 twice): refused.
   *
   * @throws IllegalStateException when called off the thread that applies entries
   */
  @Override
  public long takeSnapshot() throws IOException {
    Thread applier = applyThread;
    if (applier != null && applier != Thread.currentThread()) {
      throw new IllegalStateException(nodeId + ": a snapshot is taken on the apply thread (" + applier.getName()
          + "), not on " + Thread.currentThread().getName() + "; ask Ratis for one (PachydermNode.takeSnapshot)");
    }
    return snapshots.take(getLastAppliedTermIndex(), journal.get(), failStop, index -> {
      // Ratis purges up to what every node has; past this bound a lagging node must install a snapshot.
      long laggardBound = index - logEntriesKeptForLaggingNodesMax;
      if (laggardBound > 0 && division != null) {
        division.getRaftLog().purge(laggardBound);
      }
    });
  }

  /** The latest snapshot as Ratis ships it: a DISK node's lists its checkpoint's files too. */
  @Override
  public org.apache.ratis.statemachine.SnapshotInfo getLatestSnapshot() {
    return snapshots.latestInfo();
  }

  private void loadLatestSnapshot() throws IOException {
    journal.snapshotLoaded(0);
    digests.checkpoints().clear();
    SnapshotStore.Loaded loaded;
    try {
      loaded = snapshots.loadLatest();
    } finally {
      // Whatever the load left in the replica (nothing, on a failure), the work loop's copy follows it.
      leaderWork.effectsPaused(replica.effectsPaused());
    }
    if (loaded == null) {
      digests.publish(getLastAppliedTermIndex(), replica.digest());
      return;
    }
    setLastAppliedTermIndex(loaded.last());
    digests.publish(loaded.last(), replica.digest());
    journal.snapshotLoaded(loaded.journalIndex());
  }

  // ---- the replica digest ---------------------------------------------------------------

  /**
   * Every applied index passes here (Ratis calls it for entries without state machine data too),
   * on the apply thread: publish the digest with its index, and keep it at checkpoint indexes.
   */
  @Override
  protected boolean updateLastAppliedTermIndex(TermIndex newTI) {
    boolean updated = super.updateLastAppliedTermIndex(newTI);
    digests.publish(newTI, replica.digest());
    return updated;
  }

  /** The digest and its applied index, as status reports them. */
  public DigestAt digestAt() {
    return digests.published();
  }

  // ---- observability for the node and tests -------------------------------------------

  /** Index of the last applied entry, -1 before any. */
  public long appliedIndex() {
    TermIndex ti = getLastAppliedTermIndex();
    return ti == null ? -1 : ti.getIndex();
  }

  /** Whether the thread that applied entries has ended (Ratis' apply loop stops on a broken invariant). */
  boolean applyThreadDied() {
    Thread t = applyThread;
    return t != null && !t.isAlive();
  }

  /** The journal's encoded bytes appended since open, 0 without a journal. */
  public long journalBytesAppended() {
    return journal.bytesAppended();
  }

  /** Records the journal holds (retained and indexed), 0 without a journal. */
  public long journalRecords() {
    return journal.records();
  }

  /** Effects the at-most-once dispatcher dropped or whose handler threw, since start. */
  public long effectsFailedAtMostOnce() {
    return effects.failedCount();
  }

  long conflictCount() {
    return replica.conflicts();
  }

  public long effectsDispatched() {
    return effects.dispatchedCount();
  }

  public OutboxStats outboxStats() {
    Outbox outbox = replica.outbox();
    return new OutboxStats(outbox.messageCount(), outbox.effectCount(), outbox.deadLetterCount(),
        outbox.timerCount(), replica.messagesDelivered(), replica.timersFired(), replica.messagesRejected());
  }

  /** The entities this replica holds, in key order. */
  public Set<EntityKey> entityKeys() {
    return Set.copyOf(replica.keys());
  }
}
