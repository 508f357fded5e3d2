package io.pachyderm.node.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.EffectRetry;
import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.Applied;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.DeadLetterList;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.OutMessage;
import io.pachyderm.protocol.OutboxItem;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Ref;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.protocol.TimerOp;
import io.pachyderm.protocol.TimerSchedule;
import io.pachyderm.protocol.WorkStatus;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.Conflict;
import io.pachyderm.protocol.DedupSnapshot;
import io.pachyderm.protocol.EntityQuery;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.JournalCompactionReply;
import io.pachyderm.protocol.JournalMessageOrigin;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.JournalTimerOrigin;
import io.pachyderm.protocol.EntitySnapshot;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.NodeStatus;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.QueryReply;
import io.pachyderm.protocol.ReadRequest;
import io.pachyderm.protocol.Record;
import io.pachyderm.protocol.SnapshotHeader;
import io.pachyderm.runtime.CommandExecutor;
import io.pachyderm.runtime.EncodedEffect;
import io.pachyderm.runtime.EncodedMessage;
import io.pachyderm.runtime.EncodedTimer;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import io.pachyderm.runtime.EventFolder;
import io.pachyderm.runtime.Execution;
import io.pachyderm.runtime.QueryExecutor;
import io.pachyderm.storage.SnapshotReader;
import io.pachyderm.storage.SnapshotWriter;
import io.pachyderm.storage.journal.EventJournal;
import io.pachyderm.storage.journal.JournalCorruptException;
import io.pachyderm.storage.journal.JournalOptions;
import io.pachyderm.storage.journal.VersionRange;
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
import org.apache.ratis.protocol.ClientId;
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
  /** The entity quota and the outbox bound; apply thread only. */
  private final ReplicatedBounds bounds;
  private final Lanes lanes = new Lanes(4096);
  private final Map<EntityKey, Speculation> speculative = new ConcurrentHashMap<>();
  private final AtomicLong conflicts = new AtomicLong();
  private final Outbox outbox = new Outbox();
  private final LeaderWork leaderWork;
  // The identity under which this process proposes internal work (deliveries, timer fires,
  // effect reports) to its own server; such batches from any other client are refused.
  private final ClientId internalClientId = ClientId.randomId();
  private final AtomicLong internalCallIds = new AtomicLong();
  // Ratis runs startTransaction (handle, lane waits) on the submitting thread before it returns
  // the future; proposing from here keeps the leader work loop free while that happens.
  private final java.util.concurrent.ExecutorService proposer;
  private final io.pachyderm.node.QueueLimits queueLimits;
  private final AtomicLong messagesDelivered = new AtomicLong();
  private final AtomicLong messagesRejected = new AtomicLong();
  private final AtomicLong timersFired = new AtomicLong();
  private volatile long readyTerm = -1;
  /** Null when the node keeps no journal (then history and follow are refused). */
  private final Path journalDir;
  private final JournalOptions journalOptions;
  private volatile EventJournal journal;
  /** Journal records of the entry being applied; apply thread only. */
  private final List<JournalRecord.Builder> entryRecords = new ArrayList<>();
  private final HistoryWaiters historyWaiters;
  private final QueryRunner queries;
  private final long logEntriesKeptForLaggingNodesMax;
  /** The journal position recorded in the loaded snapshot (0 when none): see {@link #markJournalGap}. */
  private volatile long snapshotJournalIndex;
  private volatile RaftServer server;
  private volatile RaftServer.Division division;
  /** The entities' part of the {@link ReplicaDigest}; apply thread only. */
  private long entityDigest;
  /** The digest with the applied index it belongs to, published after each applied index. */
  private volatile DigestAt published = new DigestAt(TermIndex.INITIAL_VALUE, 0);
  private final DigestCheckpoints checkpoints = new DigestCheckpoints(DIGEST_CHECKPOINT_INTERVAL, 256);
  /**
   * Replicated (an {@link AdminAction} in the log, kept in snapshots): whether an operator paused
   * at-least-once effects. Written by the apply thread (and snapshot loading) only; volatile for status.
   */
  /** Set once the node has started, and when it closes on purpose: see {@link #close()}. */
  private volatile boolean running;
  private volatile boolean closeRequested;
  private volatile boolean effectsPaused;
  /** Side outputs only: nothing on the apply path reads them back. */
  private final NodeMetrics metrics;
  /** The thread that applies entries, once one has: liveness asks whether it still runs. */
  private volatile Thread applyThread;
  /** Where a fatal error goes; the node replaces the default (mark failed, rethrow) with its policy. */
  private volatile FailStop failStop;
  /** Null when no free-space check runs (a bare state machine in tests). */
  private volatile DiskReserve diskReserve;

  /** Every applied index that is a multiple of this logs its digest (a line per node per 10,000 entries). */
  static final long DIGEST_LOG_INTERVAL = 10_000;
  /** Every applied index that is a multiple of this records its digest for checkers. */
  static final long DIGEST_CHECKPOINT_INTERVAL = 100;

  /** The replica digest of the state at {@code applied}. */
  public record DigestAt(TermIndex applied, long digest) {}

  /** A history page holds at most this many records, whatever the request asks (and at most historyPageBytesMax). */
  static final int HISTORY_PAGE_MAX = 1_000;
  /** A long poll waits at most this long: below the clients' per-attempt RPC timeout. */
  static final int HISTORY_WAIT_MS_MAX = 2_000;

  /** State the leader computed for an entity in {@code term}, not yet applied. */
  private record Speculation(Versioned value, long term) {}

  public EntityStateMachine(String nodeId, EntityTypes types, StateMachineLimits limits,
                            Map<String, io.pachyderm.entity.EffectHandler<?>> effectHandlers, EffectRetry effectRetry,
                            int timerFiresPerSecondMax, Path journalDir, JournalOptions journalOptions,
                            long logEntriesKeptForLaggingNodesMax) {
    this(nodeId, types, limits, effectHandlers, effectRetry, timerFiresPerSecondMax, journalDir, journalOptions,
        logEntriesKeptForLaggingNodesMax,
        new NodeMetrics(nodeId, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            java.util.Set.copyOf(types.names())));
  }

  public EntityStateMachine(String nodeId, EntityTypes types, StateMachineLimits limits,
                            Map<String, io.pachyderm.entity.EffectHandler<?>> effectHandlers, EffectRetry effectRetry,
                            int timerFiresPerSecondMax, Path journalDir, JournalOptions journalOptions,
                            long logEntriesKeptForLaggingNodesMax, NodeMetrics metrics) {
    this(nodeId, types, limits, effectHandlers, effectRetry, timerFiresPerSecondMax, journalDir, journalOptions,
        logEntriesKeptForLaggingNodesMax, metrics, io.pachyderm.node.QueueLimits.DEFAULT);
  }

  public EntityStateMachine(String nodeId, EntityTypes types, StateMachineLimits limits,
                            Map<String, io.pachyderm.entity.EffectHandler<?>> effectHandlers, EffectRetry effectRetry,
                            int timerFiresPerSecondMax, Path journalDir, JournalOptions journalOptions,
                            long logEntriesKeptForLaggingNodesMax, NodeMetrics metrics,
                            io.pachyderm.node.QueueLimits queueLimits) {
    this.metrics = metrics;
    this.queueLimits = queueLimits;
    this.proposer = io.pachyderm.cluster.internal.BoundedExecutor.fixed("pachyderm-propose", 3,
        queueLimits.proposalsQueuedMax(), "proposalsQueuedMax", "internal proposal on " + nodeId);
    this.logEntriesKeptForLaggingNodesMax = logEntriesKeptForLaggingNodesMax;
    this.nodeId = nodeId;
    this.journalDir = journalDir;
    this.journalOptions = journalOptions;
    this.historyWaiters = new HistoryWaiters(nodeId, 10_000);
    this.queries = new QueryRunner(nodeId);
    this.types = types;
    this.limits = limits;
    this.dedup = new DedupTable(limits.dedupEntriesMax(), limits.tables());
    this.bounds = new ReplicatedBounds(limits.tables());
    this.effects = new EffectDispatcher(nodeId, types, metrics.counting(effectHandlers),
        queueLimits.effectHandlerThreadsMax(), queueLimits.effectsQueuedPerHandlerMax());
    this.failStop = new FailStop(nodeId, io.pachyderm.node.FatalErrorPolicy.STOP_NODE);
    this.leaderWork = new LeaderWork(nodeId, outbox, this::submitInternal,
        (source, effect, ctx) -> effects.invoke(source, effect.getHandler(), effect.getPayload(), ctx),
        this::isReadyLeaderNow, effectRetry, timerFiresPerSecondMax, queueLimits, effectHandlers.keySet(),
        NodeClock.SYSTEM, new java.util.SplittableRandom(), error -> this.failStop.fatal("the leader's work loop", error))
        .start();
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
      storage.init(raftStorage);
      loadSnapshotAndOpenJournal();
    }, IOException.class);
  }

  /**
   * The snapshot load and the journal open are independent (neither reads what the other
   * builds) and both are seconds of cold-JVM work after a crash (measured with
   * {@code benchmarks/run.sh restart-cluster}), so the journal opens on its own thread meanwhile.
   * The journal's gap check needs both, so it runs after.
   */
  private void loadSnapshotAndOpenJournal() throws IOException {
    java.util.concurrent.FutureTask<Void> journalOpen = new java.util.concurrent.FutureTask<>(() -> {
      openJournal();
      return null;
    });
    Thread opener = new Thread(journalOpen, nodeId + "-journal-open");
    opener.start();
    IOException failure = null;
    try {
      loadLatestSnapshot();
    } catch (IOException | RuntimeException e) {
      failure = e instanceof IOException io ? io : new IOException(e);
    }
    try {
      journalOpen.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      IOException interrupted = new java.io.InterruptedIOException(nodeId + ": interrupted while opening the journal");
      if (failure != null) {
        interrupted.addSuppressed(failure);
      }
      throw interrupted;
    } catch (java.util.concurrent.ExecutionException e) {
      IOException journalFailure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      if (failure == null) {
        failure = journalFailure;
      } else {
        failure.addSuppressed(journalFailure);
      }
    }
    if (failure != null) {
      throw failure;
    }
    markJournalGap();
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
    markJournalGap();
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /**
   * Opens the journal (while the snapshot loads). Ratis then replays the log from the snapshot
   * on: records the journal already holds are skipped by {@link EventJournal#append}, missing ones
   * (lost with the page cache, or never written before a crash) are appended again.
   */
  private void openJournal() throws IOException {
    if (journalDir == null) {
      return;
    }
    long startNs = System.nanoTime();
    journal = EventJournal.open(journalDir, journalOptions);
    LOG.info("{} opened its journal {} ({} records, last complete log index {}) in {} ms", nodeId, journalDir,
        journal.records(), journal.lastCompleteIndex(), (System.nanoTime() - startNs) / 1_000_000);
  }

  /**
   * The journal must hold every event up to the loaded snapshot, or replaying the log after it
   * cannot fill the journal. The snapshot records the journal's last complete index when it was
   * taken (on the node that took it: ours, or the leader's for an installed snapshot); entries
   * after that index and up to the snapshot carried no events. So events are missing exactly when
   * our journal ends before that index: after a snapshot was installed from the leader (the log
   * before it is gone), or if the journal directory was removed. Such a node serves history from
   * the snapshot on only.
   */
  private void markJournalGap() {
    EventJournal j = journal;
    TermIndex applied = getLastAppliedTermIndex();
    if (j == null || applied == null || applied.getIndex() <= 0) {
      return;
    }
    long before = j.lastCompleteIndex();
    if (before < snapshotJournalIndex && j.markGap(applied.getIndex())) {
      LOG.warn("{}: journal holds events up to log index {} but the snapshot at {} expects them up to {}; events in "
          + "between are not on this node: its history of affected entities starts after the snapshot", nodeId,
          before, applied.getIndex(), snapshotJournalIndex);
    }
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
    proposer.shutdownNow();
    effects.close();
    historyWaiters.close();
    queries.close();
    EventJournal j = journal;
    if (j != null) {
      j.close();
    }
    super.close();
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
    int commands = batch.getCommandsCount();
    int deliveries = batch.getDeliveriesCount();
    int fires = batch.getTimerFiresCount();
    int reports = batch.getEffectReportsCount();
    int actions = batch.getDeadLetterActionsCount();
    int admin = batch.hasAdminAction() ? 1 : 0;
    int kinds = Integer.signum(commands) + Integer.signum(deliveries) + Integer.signum(fires)
        + Integer.signum(reports) + Integer.signum(actions) + admin;
    int items = commands + deliveries + fires + reports + actions + admin;
    if (kinds != 1 || items > limits.commandsPerBatchMax()) {
      return failed(request, "a batch must hold 1.." + limits.commandsPerBatchMax() + " items of one kind, got "
          + commands + " commands, " + deliveries + " deliveries, " + fires + " timer fires, " + reports
          + " effect reports, " + actions + " dead-letter actions, " + admin + " admin actions");
    }
    if (admin == 1 && batch.getAdminAction().getActionCase() == AdminAction.ActionCase.ACTION_NOT_SET) {
      return failed(request, "the admin action names no action (expected pause_effects or resume_effects)");
    }
    if ((deliveries + fires + reports) > 0 && !request.getClientId().equals(internalClientId)) {
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
      TransactionContext trx = TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request).build();
      trx.setException(new io.pachyderm.cluster.internal.StorageFullRefusal(storageFull));
      return trx;
    }
    if (reports + actions + admin > 0) {
      // Outbox bookkeeping or a setting only: no entity runs, so no lanes; apply checks against the outbox.
      LogEntry.Builder built = LogEntry.newBuilder().addAllEffectReports(batch.getEffectReportsList())
          .addAllDeadLetterActions(batch.getDeadLetterActionsList());
      if (admin == 1) {
        built.setAdminAction(batch.getAdminAction());
      }
      LogEntry entry = built.build();
      return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
          .setLogData(UnsafeByteOperations.unsafeWrap(entry.toByteArray()))
          .setStateMachineContext(new LeaderBatch(term, new int[0], List.of(), arrivalNs)).build();
    }
    List<Work> work = work(batch);
    List<EntityKey> keys = new ArrayList<>(work.size());
    for (Work w : work) {
      keys.add(w.key());
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
    LeaderBatch ctx = new LeaderBatch(term, stripes, List.copyOf(new LinkedHashSet<>(keys)), arrivalNs);
    try {
      LogEntry entry = buildEntry(work, term);
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

  /**
   * One item of a batch that runs an entity's {@code handle}: a client command, the delivery of an
   * outbox message, or a timer fire. {@code key} is the entity that runs (for lanes); for a
   * message or timer that is no longer pending it is the source, and nothing runs.
   */
  private record Work(EntityKey key, Command command, Delivery delivery, PendingMessage message,
                      TimerFire fire, PendingTimer timer) {}

  private List<Work> work(CommandBatch batch) {
    List<Work> work = new ArrayList<>();
    for (Command c : batch.getCommandsList()) {
      work.add(new Work(Protos.key(c.getRef()), c, null, null, null, null));
    }
    for (Delivery d : batch.getDeliveriesList()) {
      PendingMessage m = outbox.message(new Outbox.Id(Protos.key(d.getSource()), d.getSeq()));
      work.add(new Work(Protos.key(m != null ? m.getTarget() : d.getSource()), null, d, m, null, null));
    }
    for (TimerFire f : batch.getTimerFiresList()) {
      PendingTimer t = outbox.timer(new TimerKey(Protos.key(f.getOwner()), f.getName()));
      if (t != null && t.getSeq() != f.getSeq()) {
        t = null;
      }
      work.add(new Work(Protos.key(t != null ? t.getTarget() : f.getOwner()), null, null, null, f, t));
    }
    return work;
  }

  private LogEntry buildEntry(List<Work> work, long term) {
    LogEntry.Builder entry = LogEntry.newBuilder();
    long entryBytes = 0;
    long nowMs = System.currentTimeMillis();
    for (Work w : work) {
      Decided decided = decide(w, term, nowMs);
      Record record = decided.record();
      // The reply computed at apply goes into this entry's reply: counted, so that the reply
      // stays as bounded as it was when the entry carried it.
      long size = decided.bytes();
      if (entryBytes + size > limits.entryBytesMax()) {
        // Keep the entry replicable. The item is deferred, not rejected: apply answers Conflict
        // (or RETRY) and the client (or the leader's own work loop) sends it again later.
        forgetSpeculation(w.key());
        record = origin(w).setDeferred(true).build();
      }
      entryBytes += record == decided.record() ? size : record.getSerializedSize();
      entry.addRecords(record);
    }
    return entry.build();
  }

  /** A record carrying only where the item came from. */
  private static Record.Builder origin(Work w) {
    Record.Builder r = Record.newBuilder();
    if (w.command() != null) {
      r.setRequestId(w.command().getRequestId()).setRef(w.command().getRef());
    } else if (w.delivery() != null) {
      r.setDelivery(w.delivery()).setRef(w.message() != null ? w.message().getTarget() : w.delivery().getSource());
    } else {
      r.setTimerFire(w.fire()).setRef(w.timer() != null ? w.timer().getTarget() : w.fire().getOwner());
    }
    return r;
  }

  /**
   * A decided record and its size counted against the limits: its encoded bytes plus, when its
   * reply is computed at apply ({@code reply_from_state}), that reply's bytes.
   */
  private record Decided(Record record, long bytes) {
    static Decided of(Record record) {
      return new Decided(record, record.getSerializedSize());
    }
  }

  /** Runs one item on the leader and returns its record; never throws for user errors. */
  private Decided decide(Work w, long term, long nowMs) {
    Record.Builder origin = origin(w);
    EntityKey key = w.key();
    Encoded payload;
    long seed;
    boolean replyWanted;
    EntityKey sender = null;
    if (w.command() != null) {
      Command command = w.command();
      RequestKey requestKey = RequestKey.of(command.getRequestId());
      if (dedup.get(requestKey) != null) {
        return Decided.of(origin.setLookupOnly(true).build());
      }
      payload = Protos.encoded(command.getPayload());
      seed = seed(requestKey.clientHi(), requestKey.clientLo(), requestKey.sequence());
      replyWanted = command.getReplyWanted();
    } else if (w.delivery() != null) {
      if (w.message() == null) {
        return Decided.of(origin.setLookupOnly(true).build());
      }
      sender = Protos.key(w.delivery().getSource());
      payload = Protos.encoded(w.message().getPayload());
      seed = seed(sender.hashCode(), w.delivery().getSeq(), 0x6D657373L);
      replyWanted = false;
    } else {
      if (w.timer() == null || w.timer().getDueMs() > nowMs) {
        // Gone, or not due by this leader's clock yet.
        return Decided.of(origin.setLookupOnly(true).build());
      }
      payload = Protos.encoded(w.timer().getPayload());
      seed = seed(Protos.key(w.fire().getOwner()).hashCode(), w.fire().getSeq(), w.fire().getName().hashCode());
      replyWanted = false;
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return Decided.of(origin.setRejection(Protos.rejection(RejectionKind.UNKNOWN_ENTITY_TYPE, unknownType(key)))
          .build());
    }
    String invalid = validate(key);
    if (invalid != null) {
      return Decided.of(origin.setRejection(Protos.rejection(RejectionKind.INVALID_REQUEST, invalid)).build());
    }
    Versioned base = workingState(key, type, term);
    CommandExecutor.Request request = new CommandExecutor.Request(key, payload, nowMs, seed, replyWanted, sender);
    Execution execution = CommandExecutor.execute(type, base.state(), base.version(), request, effects::hasHandler,
        types);
    if (execution instanceof Execution.Rejected r) {
      return Decided.of(origin.setRejection(Protos.rejection(r.kind(), r.message())).build());
    }
    Execution.Accepted a = (Execution.Accepted) execution;
    Record record = accepted(origin, base.version(), a, nowMs);
    // Counted as if the record carried its reply, as it did before replies were computed at apply.
    long bytes = record.getSerializedSize() + (record.getReplyFromState() ? a.reply().data().length : 0);
    if (bytes > limits.recordBytesMax()) {
      return Decided.of(origin(w).setRejection(Protos.rejection(RejectionKind.TOO_LARGE, "the record of " + key
          + " is " + bytes + " bytes, more than the limit of " + limits.recordBytesMax())).build());
    }
    if (a.newVersion() != base.version()) {
      speculative.put(key, new Speculation(Versioned.speculative(a.newState(), a.newVersion()), term));
    }
    return new Decided(record, bytes);
  }

  private static Record accepted(Record.Builder origin, long expectedVersion, Execution.Accepted a, long nowMs) {
    Record.Builder r = origin.setExpectedVersion(expectedVersion).setTimestampMs(nowMs);
    for (Encoded e : a.events()) {
      r.addEvents(Protos.payload(e));
    }
    for (EncodedEffect effect : a.effects()) {
      r.addEffects(io.pachyderm.protocol.Effect.newBuilder().setHandler(effect.handler())
          .setPayload(Protos.payload(effect.payload())).setAtLeastOnce(effect.atLeastOnce()));
    }
    for (EncodedMessage m : a.messages()) {
      r.addMessages(OutMessage.newBuilder().setTo(Protos.ref(m.to())).setPayload(Protos.payload(m.command())));
    }
    for (EncodedTimer t : a.timers()) {
      TimerOp.Builder op = TimerOp.newBuilder().setName(t.name());
      if (t.cancel()) {
        op.setCancel(true);
      } else {
        op.setSchedule(TimerSchedule.newBuilder().setTarget(Protos.ref(t.target()))
            .setPayload(Protos.payload(t.command())).setDueMs(t.dueMs()));
      }
      r.addTimers(op);
    }
    if (a.reply() != null && a.replyIsState()) {
      // Every replica folds the events anyway and encodes the same state from them: writing it
      // here too would put the state into the log (and Ratis' segment cache) twice.
      r.setReplyFromState(true);
    } else if (a.reply() != null) {
      r.setReply(Protos.payload(a.reply())).setReplyIsState(a.replyIsState());
    }
    return r.build();
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

  /** Proposes internal work to this node's own server, as {@link #internalClientId}. */
  private CompletableFuture<BatchReply> submitInternal(CommandBatch batch) {
    RaftServer s = server;
    RaftServer.Division d = division;
    if (s == null || d == null) {
      return CompletableFuture.failedFuture(new IllegalStateException(nodeId + " is not initialized"));
    }
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(internalClientId)
        .setServerId(s.getId())
        .setGroupId(d.getGroup().getGroupId())
        .setCallId(internalCallIds.incrementAndGet())
        .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch.toByteArray())))
        .setType(RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<CompletableFuture<org.apache.ratis.protocol.RaftClientReply>> proposed;
    try {
      proposed = CompletableFuture.supplyAsync(() -> {
        try {
          return s.submitClientRequestAsync(request);
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, proposer);
    } catch (RuntimeException e) { // proposalsQueuedMax reached (the work loop tries again later), or closed
      return CompletableFuture.failedFuture(e);
    }
    return proposed.thenCompose(f -> f).thenApply(reply -> {
      if (!reply.isSuccess()) {
        throw new java.util.concurrent.CompletionException(reply.getException());
      }
      try {
        return BatchReply.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  /** Speculation first, then applied state: see the class comment for why the order matters. */
  private Versioned workingState(EntityKey key, EntityType<?, ?, ?> type, long term) {
    Speculation s = speculative.get(key);
    Versioned applied = entities.get(key);
    if (applied == null) {
      applied = Versioned.speculative(CommandExecutor.initialState(type, key.id()), 0);
    }
    if (s != null && s.term() == term && s.value().version() > applied.version()) {
      return s.value();
    }
    return applied;
  }

  private static long seed(long a, long b, long c) {
    long h = a * 0x9E3779B97F4A7C15L;
    h ^= b + 0x632BE59BD9B4E019L + (h << 6) + (h >>> 2);
    return h ^ (c * 0xC2B2AE3D27D4EB4FL);
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
    // Every replica builds the full reply, not only the leader that appended the entry: Ratis
    // replicates the client and call ids with the entry, and a client retrying after a leader
    // change is answered from the new leader's retry cache with whatever this returned.
    BatchReply.Builder reply = BatchReply.newBuilder();
    for (Record record : entry.getRecordsList()) {
      if (record.hasDelivery()) {
        reply.addWork(applyDelivery(record, termIndex, appendedHere));
      } else if (record.hasTimerFire()) {
        reply.addWork(applyTimerFire(record, termIndex, appendedHere));
      } else {
        Outcome outcome = applyCommand(record, termIndex, appendedHere);
        reply.addOutcomes(outcome);
        if (appendedHere && !record.getLookupOnly()) {
          metrics.commandApplied(record.getRef().getEcosystem(), record.getRef().getType(), outcome,
              System.nanoTime() - appendedBy.arrivalNs);
        }
      }
    }
    if (appendedHere && entry.getRecordsCount() > 0) {
      metrics.entryApplied(entry.getRecordsCount());
    }
    for (EffectReport report : entry.getEffectReportsList()) {
      reply.addWork(applyEffectReport(report));
    }
    for (DeadLetterAction action : entry.getDeadLetterActionsList()) {
      reply.addWork(applyDeadLetterAction(action));
    }
    if (entry.hasAdminAction()) {
      reply.addWork(applyAdminAction(entry.getAdminAction(), termIndex));
    }
    journalEntry(termIndex);
    updateLastAppliedTermIndex(termIndex);
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply.build().toByteArray())));
  }

  private Outcome applyCommand(Record record, TermIndex termIndex, boolean appendedHere) {
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
    EntityType<?, ?, ?> type = requireType(key, termIndex);
    Versioned current = entities.get(key);
    if (isConflict(record, current, key, appendedHere)) {
      return outcome.setConflict(Conflict.newBuilder().setExpectedVersion(record.getExpectedVersion())
          .setActualVersion(current == null ? 0 : current.version())).build();
    }
    String refusal = bounds.refusal(record, key, current == null && record.getEventsCount() > 0,
        outbox.pendingItems(), name -> outbox.timer(new TimerKey(key, name)) != null);
    if (refusal != null) {
      dropSpeculation(key, appendedHere);
      Outcome refused = outcome.setRejected(Protos.rejection(RejectionKind.LIMIT_EXCEEDED, refusal)).build();
      dedup.remember(requestKey, refused);
      return refused;
    }
    Committed committed = commit(record, key, type, current, termIndex, appendedHere);
    Applied.Builder applied = Applied.newBuilder().setVersion(committed.version());
    if (record.getReplyFromState()) {
      applied.setReply(Protos.payload(stateAfter(key, type, committed))).setReplyIsState(true);
    } else if (record.hasReply()) {
      applied.setReply(record.getReply()).setReplyIsState(record.getReplyIsState());
    }
    Outcome result = outcome.setApplied(applied).build();
    dedup.remember(requestKey, result);
    return result;
  }

  /**
   * Exactly once: the message leaves the outbox in the same entry that applies its events, and a
   * delivery is accepted only while {@code (source, seq)} is pending and is the oldest pending
   * message from that source to that target.
   */
  private WorkStatus applyDelivery(Record record, TermIndex termIndex, boolean appendedHere) {
    Outbox.Id id = new Outbox.Id(Protos.key(record.getDelivery().getSource()), record.getDelivery().getSeq());
    PendingMessage message = outbox.message(id);
    EntityKey key = Protos.key(record.getRef());
    if (message == null) {
      dropSpeculation(key, appendedHere);
      return WorkStatus.GONE;
    }
    if (record.getDeferred() || record.getLookupOnly() || !outbox.isNextOfItsPair(id, message)) {
      dropSpeculation(key, appendedHere);
      return WorkStatus.RETRY;
    }
    if (record.hasRejection()) {
      // The receiver refused it (or its handler threw): the message is consumed, nothing applied.
      outbox.removeMessage(id, message);
      messagesRejected.incrementAndGet();
      if (appendedHere) {
        LOG.warn("{}: message {} to {} rejected by the receiver: {}", nodeId, id, key,
            record.getRejection().getMessage());
      }
      return WorkStatus.DONE;
    }
    EntityType<?, ?, ?> type = requireType(key, termIndex);
    Versioned current = entities.get(key);
    if (isConflict(record, current, key, appendedHere)) {
      return WorkStatus.RETRY;
    }
    outbox.removeMessage(id, message);
    commit(record, key, type, current, termIndex, appendedHere);
    messagesDelivered.incrementAndGet();
    return WorkStatus.DONE;
  }

  /** Exactly once: the timer is removed in the entry that applies its command's events. */
  private WorkStatus applyTimerFire(Record record, TermIndex termIndex, boolean appendedHere) {
    TimerFire fire = record.getTimerFire();
    TimerKey timerKey = new TimerKey(Protos.key(fire.getOwner()), fire.getName());
    PendingTimer timer = outbox.timer(timerKey);
    EntityKey key = Protos.key(record.getRef());
    if (timer == null || timer.getSeq() != fire.getSeq()) {
      dropSpeculation(key, appendedHere);
      return WorkStatus.GONE;
    }
    if (record.getDeferred() || record.getLookupOnly()) {
      dropSpeculation(key, appendedHere);
      return WorkStatus.RETRY;
    }
    if (record.hasRejection()) {
      outbox.removeTimer(timerKey);
      timersFired.incrementAndGet();
      if (appendedHere) {
        LOG.warn("{}: timer '{}' of {} fired, and {} rejected its command: {}", nodeId, fire.getName(),
            timerKey.owner(), key, record.getRejection().getMessage());
      }
      return WorkStatus.DONE;
    }
    EntityType<?, ?, ?> type = requireType(key, termIndex);
    Versioned current = entities.get(key);
    if (isConflict(record, current, key, appendedHere)) {
      return WorkStatus.RETRY;
    }
    // Removed before the command's own timer operations, so that it can schedule the same name again.
    outbox.removeTimer(timerKey);
    commit(record, key, type, current, termIndex, appendedHere);
    timersFired.incrementAndGet();
    return WorkStatus.DONE;
  }

  /** Whether the record expected another version than {@code current}'s; counts it and drops stale speculation. */
  private boolean isConflict(Record record, Versioned current, EntityKey key, boolean appendedHere) {
    long version = current == null ? 0 : current.version();
    if (record.getExpectedVersion() == version) {
      return false;
    }
    conflicts.incrementAndGet();
    dropSpeculation(key, appendedHere);
    return true;
  }

  private void dropSpeculation(EntityKey key, boolean appendedHere) {
    if (appendedHere) {
      forgetSpeculation(key);
    }
  }

  private EntityType<?, ?, ?> requireType(EntityKey key, TermIndex termIndex) {
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      throw new IllegalStateException(nodeId + ": entry " + termIndex + " holds events of entity type '"
          + key.type() + "' which this node does not have; registered: " + types.names());
    }
    return type;
  }

  /**
   * The encoding of {@code key}'s applied state, as the leader encoded it for the default reply:
   * reuses the encoding {@link #commit} just made for the digest when it folded events.
   */
  private Encoded stateAfter(EntityKey key, EntityType<?, ?, ?> type, Committed committed) {
    if (committed.encodedState() != null) {
      return committed.encodedState();
    }
    Versioned v = entities.get(key);
    return type.codec().encode(v == null ? CommandExecutor.initialState(type, key.id()) : v.state());
  }

  /**
   * Applies an accepted record whose version check passed: folds its events, then adds its
   * messages, effects and timers to the outbox with the entity's next sequence numbers, in record
   * order (deterministic on every replica).
   */
  private Committed commit(Record record, EntityKey key, EntityType<?, ?, ?> type, Versioned current,
                      TermIndex termIndex, boolean appendedHere) {
    long version = current == null ? 0 : current.version();
    Encoded encodedState = null;
    if (record.getEventsCount() > 0) {
      Object state = current == null ? CommandExecutor.initialState(type, key.id()) : current.state();
      List<Encoded> events = new ArrayList<>(record.getEventsCount());
      for (var p : record.getEventsList()) {
        events.add(Protos.encoded(p));
      }
      EventFolder.Folded folded = EventFolder.fold(type, state, version, events);
      if (journal != null) {
        journalRecords(record, version, termIndex);
      }
      encodedState = type.codec().encode(folded.state());
      long itemDigest = ReplicaDigest.entity(key, folded.version(), encodedState);
      Versioned next = new Versioned(folded.state(), folded.version(), itemDigest);
      entityDigest += itemDigest - (current == null ? 0 : current.digest());
      if (entities.put(key, next) == null) {
        bounds.entityAdded(key);
      }
      Speculation s = speculative.get(key);
      if (s != null && s.value().version() <= next.version()) {
        speculative.remove(key, s);
      }
      version = next.version();
    }
    Ref source = record.getRef();
    for (OutMessage m : record.getMessagesList()) {
      long seq = outbox.nextSeq(key);
      outbox.addMessage(PendingMessage.newBuilder().setSource(source).setSeq(seq).setTarget(m.getTo())
          .setPayload(m.getPayload()).build());
      leaderWork.messageAdded(new Outbox.Id(key, seq));
    }
    for (io.pachyderm.protocol.Effect effect : record.getEffectsList()) {
      long seq = outbox.nextSeq(key);
      if (effect.getAtLeastOnce()) {
        Outbox.Id id = new Outbox.Id(key, seq);
        outbox.putEffect(id, PendingEffect.newBuilder().setId(id.toProto()).setHandler(effect.getHandler())
            .setPayload(effect.getPayload()).setVersion(version).setLogIndex(termIndex.getIndex())
            .setTerm(termIndex.getTerm()).build());
        leaderWork.effectAdded(id);
      } else if (appendedHere) {
        effects.dispatch(key, version, termIndex.getIndex(), termIndex.getTerm(), effect, seq);
      }
    }
    for (TimerOp op : record.getTimersList()) {
      TimerKey timerKey = new TimerKey(key, op.getName());
      if (op.hasSchedule()) {
        long seq = outbox.nextSeq(key);
        TimerSchedule schedule = op.getSchedule();
        outbox.putTimer(timerKey, PendingTimer.newBuilder().setOwner(source).setName(op.getName()).setSeq(seq)
            .setTarget(schedule.getTarget()).setPayload(schedule.getPayload()).setDueMs(schedule.getDueMs()).build());
        leaderWork.timerScheduled(timerKey, seq, schedule.getDueMs());
      } else {
        outbox.removeTimer(timerKey);
      }
    }
    return new Committed(version, encodedState);
  }

  /**
   * What {@link #commit} applied: the new version, and the state it encoded for the digest (null
   * when the record had no events), which a reply computed at apply reuses.
   */
  private record Committed(long version, Encoded encodedState) {}

  /** One journal record per event of {@code record}; entry_seq and entry_events are set per entry. */
  private void journalRecords(Record record, long versionBefore, TermIndex termIndex) {
    for (int i = 0; i < record.getEventsCount(); i++) {
      JournalRecord.Builder r = JournalRecord.newBuilder()
          .setRef(record.getRef())
          .setVersion(versionBefore + i + 1)
          .setLogIndex(termIndex.getIndex())
          .setTerm(termIndex.getTerm())
          .setTimestampMs(record.getTimestampMs())
          .setEvent(record.getEvents(i));
      if (record.hasDelivery()) {
        r.setMessage(JournalMessageOrigin.newBuilder().setSource(record.getDelivery().getSource())
            .setSeq(record.getDelivery().getSeq()));
      } else if (record.hasTimerFire()) {
        TimerFire fire = record.getTimerFire();
        r.setTimer(JournalTimerOrigin.newBuilder().setOwner(fire.getOwner()).setName(fire.getName())
            .setSeq(fire.getSeq()));
      } else {
        r.setRequest(record.getRequestId());
      }
      entryRecords.add(r);
    }
  }

  /**
   * Appends the entry's records to the journal (replayed ones are skipped) and wakes the followers
   * of their entities. A journal that refuses a record would hold a history other than the log's:
   * that stops this replica, like any other broken apply invariant.
   */
  private void journalEntry(TermIndex termIndex) {
    if (entryRecords.isEmpty()) {
      return;
    }
    EventJournal j = journal;
    int events = entryRecords.size();
    try {
      int appended = 0;
      for (int seq = 0; seq < events; seq++) {
        if (j.append(entryRecords.get(seq).setEntrySeq(seq).setEntryEvents(events).build())) {
          appended++;
        }
      }
      metrics.journalAppended(appended);
      // Checked after appending: a reader parks first and looks at the journal again after, so
      // either it sees these records or this sees it parked. No follower parked: nothing to pay.
      if (historyWaiters.parkedCount() > 0) {
        Set<EntityKey> touched = new LinkedHashSet<>();
        for (JournalRecord.Builder r : entryRecords) {
          touched.add(Protos.key(r.getRef()));
        }
        for (EntityKey key : touched) {
          historyWaiters.wake(key);
        }
      }
    } catch (RuntimeException e) {
      throw new IllegalStateException(nodeId + ": journaling entry " + termIndex + " failed: " + e.getMessage(), e);
    } finally {
      entryRecords.clear();
    }
  }

  private WorkStatus applyEffectReport(EffectReport report) {
    Outbox.Id id = Outbox.Id.of(report.getId());
    PendingEffect effect = outbox.effect(id);
    if (effect == null) {
      return WorkStatus.GONE;
    }
    if (report.hasFailed()) {
      EffectFailure failure = report.getFailed();
      if (failure.getAttempt() <= effect.getAttempts()) {
        return WorkStatus.GONE; // a late report of an attempt already counted
      }
      PendingEffect updated = effect.toBuilder().setAttempts(failure.getAttempt()).setLastError(failure.getError())
          .build();
      if (failure.getDeadLetter()) {
        outbox.removeEffect(id);
        outbox.putDeadLetter(id, updated.toBuilder().setDeadAtMs(failure.getTimestampMs()).build());
      } else {
        outbox.putEffect(id, updated);
      }
      return WorkStatus.DONE;
    }
    outbox.removeEffect(id);
    return WorkStatus.DONE;
  }

  private WorkStatus applyDeadLetterAction(DeadLetterAction action) {
    Outbox.Id id = Outbox.Id.of(action.getId());
    PendingEffect dead = outbox.deadLetter(id);
    if (dead == null) {
      return WorkStatus.GONE;
    }
    outbox.removeDeadLetter(id);
    if (action.getRedrive()) {
      outbox.putEffect(id, dead.toBuilder().setAttempts(0).clearDeadAtMs().build());
      leaderWork.effectAdded(id);
    }
    return WorkStatus.DONE;
  }

  /**
   * DONE when the action changed the setting, GONE when it already held (a retry, or a second
   * operator). Deterministic: a function of the entry and the applied setting only.
   */
  private WorkStatus applyAdminAction(AdminAction action, TermIndex termIndex) {
    boolean pause = switch (action.getActionCase()) {
      case PAUSE_EFFECTS -> true;
      case RESUME_EFFECTS -> false;
      // The leader refuses an empty action before it reaches the log; an entry holding one was
      // written by something else, and skipping it here could leave replicas apart.
      case ACTION_NOT_SET -> throw new IllegalStateException(nodeId + ": entry " + termIndex
          + " holds an admin action without an action");
    };
    if (pause == effectsPaused) {
      return WorkStatus.GONE;
    }
    setEffectsPaused(pause);
    LOG.info("{}: at-least-once effects {} at log index {}", nodeId, pause ? "paused" : "resumed",
        termIndex.getIndex());
    return WorkStatus.DONE;
  }

  /** Apply thread or snapshot loading: the replicated setting, and the leader work loop's copy of it. */
  private void setEffectsPaused(boolean paused) {
    effectsPaused = paused;
    leaderWork.effectsPaused(paused);
  }

  /** Whether at-least-once effects are paused in this node's applied state. */
  public boolean effectsPaused() {
    return effectsPaused;
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
      readyTerm = -1;
      speculative.clear();
      leaderWork.deactivate();
    }
  }

  @Override
  public void notifyNotLeader(java.util.Collection<TransactionContext> pendingEntries) {
    readyTerm = -1;
    speculative.clear();
    leaderWork.deactivate();
  }

  /** Every entry of earlier terms is applied: the working state starts from applied state. */
  @Override
  public void notifyLeaderReady() {
    speculative.clear();
    readyTerm = division.getInfo().getCurrentTerm();
    // Ratis calls this on the apply thread: the outbox the work loop rescans is the applied one.
    leaderWork.activate();
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
          return unknownTypeRead(key);
        }
        Versioned v = entities.get(key);
        EntityRead.Builder b = EntityRead.newBuilder();
        if (v != null) {
          b.setVersion(v.version()).setState(Protos.payload(type.codec().encode(v.state())));
        }
        answer = b.build().toByteArray();
      }
      case HISTORY -> {
        return history(read.getHistory());
      }
      case QUERY -> {
        return entityQuery(read.getQuery());
      }
      case STATUS -> answer = status().toByteArray();
      case COMPACT_JOURNAL -> {
        return compactJournal();
      }
      case DEAD_LETTERS -> answer = DeadLetterList.newBuilder()
          .addAllDeadLetters(outbox.deadLetters(read.getDeadLetters().getLimit()))
          .setTotal(outbox.deadLetterCount())
          .build().toByteArray();
      default -> {
        return CompletableFuture.failedFuture(new StateMachineException("empty read request"));
      }
    }
    return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(answer)));
  }

  /**
   * Runs a named query of the entity's type on its applied state, never on the apply path: the
   * state is taken here, at the read's point in the log (after ReadIndex for a linearizable read),
   * and the query function runs on a {@link QueryRunner} thread, so a slow or throwing query delays
   * or fails this read only. The state record is immutable and read from the map once, so the
   * result and version belong together while the apply thread moves on. Only the encoded result
   * goes back.
   */
  private CompletableFuture<Message> entityQuery(EntityQuery q) {
    EntityKey key;
    try {
      key = validKey(q.getRef());
    } catch (RuntimeException e) {
      return refusedRead(RejectionKind.INVALID_REQUEST, "query '" + q.getName() + "' of " + q.getRef() + ": "
          + e.getMessage());
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return unknownTypeRead(key);
    }
    Versioned v = entities.get(key);
    Encoded args = q.hasArgs() ? Protos.encoded(q.getArgs()) : null;
    String what = "query '" + q.getName() + "' of " + key;
    return queries.run(what, () -> {
      Object state;
      try {
        state = v != null ? v.state() : CommandExecutor.initialState(type, key.id());
      } catch (RuntimeException e) {
        throw refusal(RejectionKind.HANDLER_FAILED, "initial(" + key.id() + ") of entity type " + type.name()
            + " threw " + e);
      }
      QueryExecutor.Outcome outcome = QueryExecutor.execute(type, key, state, q.getName(), args);
      if (outcome instanceof QueryExecutor.Refused r) {
        throw refusal(r.kind(), r.message() + " (on node " + nodeId + ")");
      }
      Encoded result = ((QueryExecutor.Answered) outcome).result();
      QueryReply.Builder reply = QueryReply.newBuilder().setVersion(v == null ? 0 : v.version());
      if (result != null) {
        reply.setResult(Protos.payload(result));
      }
      return message(reply.build());
    });
  }

  /** The ref as a key; IllegalArgumentException naming what is wrong with it. */
  private EntityKey validKey(Ref ref) {
    EntityKey key = Protos.key(ref);
    String invalid = validate(key);
    if (invalid != null) {
      throw new IllegalArgumentException(invalid);
    }
    return key;
  }

  /** A read refused for what it asked; the kind leads the message, which is how the client tells it apart. */
  private static CompletableFuture<Message> refusedRead(RejectionKind kind, String message) {
    return CompletableFuture.failedFuture(refusal(kind, message));
  }

  private static StateMachineException refusal(RejectionKind kind, String message) {
    return new StateMachineException(kind + ": " + message);
  }

  /**
   * A page of an entity's journaled events. With {@code wait_ms}, a read that finds nothing at or
   * after {@code from_version} parks until the entity's next event is journaled or the wait ends
   * (a long poll: followers see new events at once without polling the node hard).
   */
  private CompletableFuture<Message> history(HistoryQuery q) {
    EntityKey key;
    try {
      key = validKey(q.getRef());
    } catch (RuntimeException e) {
      return refusedRead(RejectionKind.INVALID_REQUEST, "history of " + q.getRef() + ": " + e.getMessage());
    }
    EntityType<?, ?, ?> type = types.find(key.type());
    if (type == null) {
      return unknownTypeRead(key);
    }
    if (!q.getCurrentState() && (q.getFromVersion() < 1 || q.getLimit() < 1)) {
      return CompletableFuture.failedFuture(new StateMachineException("INVALID_REQUEST: history of " + key
          + " needs from_version >= 1 and limit >= 1, got " + q.getFromVersion() + " and " + q.getLimit()));
    }
    HistoryPage page;
    try {
      page = historyPage(key, type, q);
    } catch (JournalCorruptException e) {
      // Never the damaged record: this read fails naming file and record; the other nodes' journals hold it.
      return CompletableFuture.failedFuture(new StateMachineException("history of " + key + " on " + nodeId
          + " cannot be served from its journal: " + e.getMessage()));
    } catch (IllegalStateException e) {
      return refusedRead(RejectionKind.TOO_LARGE, "history of " + key + " on " + nodeId + ": " + e.getMessage());
    }
    if (page.getRecordsCount() > 0 || q.getWaitMs() == 0 || q.getCurrentState() || journal == null) {
      return CompletableFuture.completedFuture(message(page));
    }
    CompletableFuture<Message> answer = new CompletableFuture<>();
    long waitMs = Math.min(q.getWaitMs(), HISTORY_WAIT_MS_MAX);
    Runnable reply = () -> {
      try {
        answer.complete(message(historyPage(key, type, q)));
      } catch (RuntimeException e) {
        answer.completeExceptionally(new StateMachineException("history of " + key + " on " + nodeId + ": " + e));
      }
    };
    if (!historyWaiters.park(key, waitMs, reply)) {
      return CompletableFuture.completedFuture(message(page));
    }
    // An event journaled between the read above and the park would wake nobody: look again.
    VersionRange held = journal.versions(q.getRef());
    if (held != null && held.last() >= q.getFromVersion()) {
      historyWaiters.wake(key);
    }
    return answer;
  }

  private HistoryPage historyPage(EntityKey key, EntityType<?, ?, ?> type, HistoryQuery q) {
    HistoryPage.Builder page = HistoryPage.newBuilder().setNodeId(nodeId);
    Versioned v = entities.get(key);
    page.setLastVersion(v == null ? 0 : v.version());
    if (q.getCurrentState() && v != null) {
      page.setState(Protos.payload(type.codec().encode(v.state())));
    }
    EventJournal j = journal;
    if (j == null) {
      return page.setJournalDisabled(true).build();
    }
    VersionRange held = j.versions(q.getRef());
    page.setFirstVersion(held == null ? 0 : held.first());
    if (!q.getCurrentState()) {
      page.addAllRecords(HistoryPager.page(j, q.getRef(), q.getFromVersion(), Math.min(q.getLimit(), HISTORY_PAGE_MAX),
          queueLimits.historyPageBytesMax()));
    }
    return page.build();
  }

  private String unknownType(EntityKey key) {
    return "no entity type '" + key.type() + "' is registered on node " + nodeId + "; registered: " + types.names();
  }

  /** A read of an unregistered type; the kind leads the message, which is how the client tells it apart. */
  private CompletableFuture<Message> unknownTypeRead(EntityKey key) {
    return CompletableFuture.failedFuture(new StateMachineException(RejectionKind.UNKNOWN_ENTITY_TYPE + ": "
        + unknownType(key)));
  }

  private static Message message(com.google.protobuf.MessageLite m) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(m.toByteArray()));
  }

  /**
   * Applies this node's journal retention now (node-local: each node cuts its files at its own
   * clock). A node without a journal, or whose retention keeps everything, deletes nothing and says
   * so in the reply, which the client reports as a refusal.
   */
  private CompletableFuture<Message> compactJournal() {
    EventJournal j = journal;
    JournalCompactionReply.Builder reply = JournalCompactionReply.newBuilder().setNodeId(nodeId)
        .setJournalEnabled(j != null).setRetainedCyclesMax(journalOptions.retainedCyclesMax())
        .setRollCycle(journalOptions.rollCycle().name());
    if (j == null) {
      return CompletableFuture.completedFuture(message(reply.build()));
    }
    try {
      EventJournal.Compaction done = j.compact();
      reply.addAllDeletedFiles(done.deletedFiles()).setDeletedBytes(done.deletedBytes())
          .setKeptFiles(done.keptFiles()).setRecords(j.records());
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(new StateMachineException("compacting the journal of " + nodeId
          + " failed: " + e));
    }
    return CompletableFuture.completedFuture(message(reply.build()));
  }

  private NodeStatus status() {
    // The applied index is the digest's own: both are published together after each index.
    DigestAt at = published;
    TermIndex applied = at.applied();
    SingleFileSnapshotInfo snap = storage.getLatestSnapshot();
    NodeStatus.Builder b = NodeStatus.newBuilder();
    raftView(b);
    b.setNodeId(nodeId)
        .setAppliedIndex(Math.max(0, applied.getIndex()))
        .setAppliedTerm(Math.max(0, applied.getTerm()))
        .setDigest(at.digest());
    checkpoints.forEach((index, digest) ->
        b.addDigestCheckpoints(io.pachyderm.protocol.DigestCheckpoint.newBuilder().setIndex(index).setDigest(digest)));
    return b
        .setEntities(entities.size())
        .setDedupEntries(dedup.size())
        .setSnapshotIndex(snap == null ? 0 : snap.getIndex())
        .setPendingMessages(outbox.messageCount())
        .setPendingEffects(outbox.effectCount())
        .setDeadLetters(outbox.deadLetterCount())
        .setTimers(outbox.timerCount())
        .setMessagesDelivered(messagesDelivered.get())
        .setTimersFired(timersFired.get())
        .setLeaderReady(leaderWork.isActive())
        .setJournalEnabled(journal != null)
        .setJournalRecords(journal == null ? 0 : journal.records())
        .setJournalIndex(journal == null ? 0 : journal.lastCompleteIndex())
        .setEffectsPaused(effectsPaused)
        .build();
  }

  /** Role, known leader, term and commit index, as the Ratis division reports them now. */
  private void raftView(NodeStatus.Builder b) {
    RaftServer.Division d = division;
    if (d == null) {
      return;
    }
    var info = d.getInfo();
    b.setRole(info.getCurrentRole().name())
        .setCurrentTerm(info.getCurrentTerm())
        .setCommitIndex(Math.max(0, d.getRaftLog().getLastCommittedIndex()));
    var leader = d.getInfo().isLeader() ? d.getId() : info.getLeaderId();
    if (leader != null) {
      b.setLeaderId(leader.toString());
    }
  }

  // ---- snapshots ----------------------------------------------------------------------

  /** Runs on the apply thread (Ratis' StateMachineUpdater), so the state is still. */
  @Override
  public long takeSnapshot() throws IOException {
    FailStop f = failStop;
    if (f.failed()) {
      // The state may be behind its journal or half applied: it must not become a snapshot.
      throw new IOException(nodeId + " stopped after a fatal error and takes no snapshot: " + f.failure());
    }
    try {
      return writeSnapshot();
    } catch (RuntimeException | Error e) {
      // Ratis' apply loop survives only an IOException here: anything else puts it in a state where,
      // while the server stops, it retries the snapshot and logs the failure in a tight loop and
      // close() waits for it forever (issue 12's ~17,000 lines a second: a journal whose files
      // were gone could not sync). A journal that cannot sync is a durability failure: fail-stop.
      f.fatal("taking a snapshot", e);
      throw new IOException(nodeId + ": snapshot failed: " + e, e);
    }
  }

  private long writeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    long startNs = System.nanoTime();
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    EventJournal j = journal;
    long journalIndex = 0;
    if (j != null) {
      // Ratis purges the log behind this snapshot: from now on only the journal holds those events,
      // so they must be on disk first. saveIndex lets the next open skip the full scan.
      j.sync();
      j.saveIndex();
      journalIndex = j.lastCompleteIndex();
    }
    EntityKey[] keys = entities.keySet().toArray(new EntityKey[0]);
    Arrays.sort(keys);
    List<OutboxItem> outboxItems = outbox.snapshotItems();
    SnapshotHeader header = SnapshotHeader.newBuilder()
        .setFormatVersion(SnapshotWriter.FORMAT_VERSION)
        .setLastAppliedTerm(last.getTerm())
        .setLastAppliedIndex(last.getIndex())
        .setEntities(keys.length)
        .setDedupEntries(dedup.size())
        .setOutboxItems(outboxItems.size())
        .setJournalIndex(journalIndex)
        .setDigest(digest())
        .setEffectsPaused(effectsPaused)
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
      for (OutboxItem item : outboxItems) {
        writer.writeOutbox(item);
      }
      writer.commit();
    }
    MD5Hash md5 = SnapshotFiles.saveMd5OrDelete(nodeId, file);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    metrics.snapshotTaken(System.nanoTime() - startNs, file.length());
    // Ratis purges up to what every node has; past this bound a lagging node must install a snapshot.
    long laggardBound = last.getIndex() - logEntriesKeptForLaggingNodesMax;
    RaftServer.Division d = division;
    if (laggardBound > 0 && d != null) {
      d.getRaftLog().purge(laggardBound);
    }
    LOG.info("{} took snapshot at {} ({} entities, {} dedup entries, digest {})", nodeId, last, keys.length,
        dedup.size(), ReplicaDigest.hex(header.getDigest()));
    return last.getIndex();
  }

  private void loadLatestSnapshot() throws IOException {
    long startNs = System.nanoTime();
    Path snapshotDir = storage.getSnapshotFile(0, 0).toPath().getParent();
    SnapshotFiles.setAsideUnreadable(nodeId, snapshotDir);
    SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
    if (snapshot == null && SnapshotFiles.any(snapshotDir)) {
      // Ratis returns null for a snapshot it cannot read; starting empty over a log that no
      // longer begins at index 1 would leave a node that never applies anything.
      throw new IOException(nodeId + ": the snapshots in " + snapshotDir + " cannot be read (Ratis found none"
          + " usable); move the node's data directory aside and start it empty to fetch a snapshot from the leader");
    }
    entities.clear();
    bounds.clear();
    entityDigest = 0;
    dedup.clear();
    outbox.clear();
    snapshotJournalIndex = 0;
    checkpoints.clear();
    setEffectsPaused(false);
    if (snapshot == null) {
      publishDigest(getLastAppliedTermIndex());
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
        Encoded state = Protos.encoded(e.getState());
        long itemDigest = ReplicaDigest.entity(key, e.getVersion(), state);
        entities.put(key, new Versioned(type.codec().decode(state), e.getVersion(), itemDigest));
        bounds.entityAdded(key);
        entityDigest += itemDigest;
      }
      for (DedupSnapshot d = reader.nextDedup(); d != null; d = reader.nextDedup()) {
        dedup.restore(RequestKey.of(d.getRequestId()), d.getOutcome());
      }
      for (OutboxItem item = reader.nextOutbox(); item != null; item = reader.nextOutbox()) {
        outbox.restore(item);
      }
      reader.verify();
      setEffectsPaused(header.getEffectsPaused());
      TermIndex last = TermIndex.valueOf(header.getLastAppliedTerm(), header.getLastAppliedIndex());
      if (!last.equals(snapshot.getTermIndex())) {
        throw new IOException(path + ": header says " + last + " but the file name says " + snapshot.getTermIndex());
      }
      if (header.hasDigest() && header.getDigest() != digest()) {
        throw new IOException(nodeId + ": snapshot " + path + " records replica digest "
            + ReplicaDigest.hex(header.getDigest()) + " but its contents give " + ReplicaDigest.hex(digest())
            + ": the file does not hold the state it was written with");
      }
      // After the digest check (it covers the table as written): a snapshot from before the
      // byte bounds, or from a node with larger ones, is trimmed to this node's bounds now.
      dedup.enforceLimits();
      setLastAppliedTermIndex(last);
      publishDigest(last);
      snapshotJournalIndex = header.getJournalIndex();
      LOG.info("{} loaded snapshot {} ({} entities, {} dedup entries, digest {}) in {} ms", nodeId, last,
          entities.size(), dedup.size(), ReplicaDigest.hex(digest()), (System.nanoTime() - startNs) / 1_000_000);
    }
  }

  // ---- the replica digest ---------------------------------------------------------------

  /** The replica digest of the current state. Apply thread (or before the server runs). */
  private long digest() {
    return entityDigest + dedup.digest() + outbox.digest() + (effectsPaused ? ReplicaDigest.effectsPaused() : 0);
  }

  /**
   * Every applied index passes here (Ratis calls it for entries without state machine data too),
   * on the apply thread: publish the digest with its index, and keep it at checkpoint indexes.
   */
  @Override
  protected boolean updateLastAppliedTermIndex(TermIndex newTI) {
    boolean updated = super.updateLastAppliedTermIndex(newTI);
    publishDigest(newTI);
    return updated;
  }

  private void publishDigest(TermIndex applied) {
    if (applied == null) {
      return;
    }
    long d = digest();
    published = new DigestAt(applied, d);
    checkpoints.offer(applied.getIndex(), d);
    if (applied.getIndex() > 0 && applied.getIndex() % DIGEST_LOG_INTERVAL == 0) {
      // The same indexes on every node: node logs alone show where replicas parted, after the fact.
      LOG.info("{} replica digest at applied index {}: {}", nodeId, applied.getIndex(), ReplicaDigest.hex(d));
    }
  }

  /** The digest and its applied index, as status reports them. */
  public DigestAt digestAt() {
    return published;
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
    EventJournal j = journal;
    return j == null ? 0 : j.bytesAppended();
  }

  /** Records the journal holds (retained and indexed), 0 without a journal. */
  public long journalRecords() {
    EventJournal j = journal;
    return j == null ? 0 : j.records();
  }

  /** Effects the at-most-once dispatcher dropped or whose handler threw, since start. */
  public long effectsFailedAtMostOnce() {
    return effects.failedCount();
  }

  long conflictCount() {
    return conflicts.get();
  }

  public long effectsDispatched() {
    return effects.dispatchedCount();
  }

  public io.pachyderm.node.OutboxStats outboxStats() {
    return new io.pachyderm.node.OutboxStats(outbox.messageCount(), outbox.effectCount(), outbox.deadLetterCount(),
        outbox.timerCount(), messagesDelivered.get(), timersFired.get(), messagesRejected.get());
  }

  public Set<EntityKey> entityKeys() {
    return Set.copyOf(entities.keySet());
  }
}
