package io.pachyderm.node.internal;

import io.pachyderm.node.settings.NodeLimits;
import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.replica.Applied;
import io.pachyderm.replica.Decider;
import io.pachyderm.replica.Replica;
import io.pachyderm.replica.Versioned;
import io.pachyderm.replica.WorkItem;
import io.pachyderm.runtime.EntityKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of building entries: checks a batch's shape, takes the lanes of its entities,
 * keeps this term's speculative state, and has the {@link Decider} build the entry. Concurrent on
 * Ratis' request threads; lanes serialize the items of one entity.
 *
 * <p>Speculative state race, and why the read order matters: the apply thread first publishes
 * the applied state (in the {@link Replica}), then removes the speculation it caught up with
 * ({@link #applied}). A leader thread therefore reads the speculation first and the applied state
 * second:
 * <ol>
 *   <li>speculation present: it is at least as new as anything applied, use the newer of the two;
 *   <li>speculation absent: it was removed after the applied state was published, so the applied
 *       state read next is current.
 * </ol>
 */
final class LeaderEntries {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderEntries.class);

  /** What building a batch's entry gave: an entry for the log, or a refusal before anything is replicated. */
  sealed interface Result permits Built, Refused {}

  /** @param batch the leader's context for the entry: its lanes stay held until {@link #appended} or {@link #cancelled} */
  record Built(LogEntry entry, LeaderBatch batch) implements Result {}

  record Refused(String message) implements Result {}

  /** State the leader computed for an entity in {@code term}, not yet applied. */
  private record Speculation(Versioned value, long term) {}

  private final String nodeId;
  private final Replica replica;
  private final Decider decider;
  private final NodeLimits limits;
  private final LongSupplier clockMs;
  private final Lanes lanes = new Lanes(4096);
  private final Map<EntityKey, Speculation> speculative = new ConcurrentHashMap<>();

  /** @param clockMs the leader's clock: the time its records carry and timers are due by */
  LeaderEntries(String nodeId, Replica replica, Decider decider, NodeLimits limits, LongSupplier clockMs) {
    this.nodeId = nodeId;
    this.replica = replica;
    this.decider = decider;
    this.limits = limits;
    this.clockMs = clockMs;
  }

  /** Why {@code batch} may not become an entry whatever the state (its shape), or null when it may. */
  String invalidShape(CommandBatch batch) {
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
      return "a batch must hold 1.." + limits.commandsPerBatchMax() + " items of one kind, got "
          + commands + " commands, " + deliveries + " deliveries, " + fires + " timer fires, " + reports
          + " effect reports, " + actions + " dead-letter actions, " + admin + " admin actions";
    }
    if (admin == 1 && batch.getAdminAction().getActionCase() == AdminAction.ActionCase.ACTION_NOT_SET) {
      return "the admin action names no action (expected pause_effects or resume_effects)";
    }
    return null;
  }

  /** Whether {@code batch} is work only the leader itself proposes (deliveries, timer fires, effect reports). */
  static boolean isInternalWork(CommandBatch batch) {
    return batch.getDeliveriesCount() + batch.getTimerFiresCount() + batch.getEffectReportsCount() > 0;
  }

  /** Builds the entry of a batch whose shape is valid, in {@code term}. */
  Result build(CommandBatch batch, long term, long arrivalNs) {
    if (batch.getEffectReportsCount() + batch.getDeadLetterActionsCount() > 0 || batch.hasAdminAction()) {
      // Outbox bookkeeping or a setting only: no entity runs, so no lanes; apply checks against the outbox.
      LogEntry.Builder built = LogEntry.newBuilder().addAllEffectReports(batch.getEffectReportsList())
          .addAllDeadLetterActions(batch.getDeadLetterActionsList());
      if (batch.hasAdminAction()) {
        built.setAdminAction(batch.getAdminAction());
      }
      return new Built(built.build(), new LeaderBatch(term, new int[0], List.of(), arrivalNs));
    }
    List<WorkItem> work = WorkItem.of(batch, replica.outbox());
    List<EntityKey> keys = new ArrayList<>(work.size());
    for (WorkItem w : work) {
      keys.add(w.key());
    }
    int[] stripes = lanes.stripesOf(keys);
    try {
      if (!lanes.acquire(stripes, limits.laneWaitMs())) {
        return new Refused("entity lanes busy for " + limits.laneWaitMs() + " ms on " + nodeId + "; retry");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Refused("interrupted");
    }
    LeaderBatch ctx = new LeaderBatch(term, stripes, List.copyOf(new LinkedHashSet<>(keys)), arrivalNs);
    try {
      return new Built(decider.entry(work, new Working(term), clockMs.getAsLong()), ctx);
    } catch (RuntimeException e) {
      cancelled(ctx);
      LOG.error("building a log entry failed on {}", nodeId, e);
      return new Refused("internal error building the log entry: " + e);
    }
  }

  /** The entry reached the log: its entities' next items may run. */
  void appended(LeaderBatch ctx) {
    if (ctx.releaseOnce()) {
      lanes.release(ctx.stripes);
    }
  }

  /** The entry never reached the log: its speculative states must not feed later items. */
  void cancelled(LeaderBatch ctx) {
    for (EntityKey key : ctx.keys) {
      speculative.remove(key);
    }
    if (ctx.releaseOnce()) {
      lanes.release(ctx.stripes);
    }
  }

  /** Leadership changed hands (or a snapshot replaced the state): nothing speculative holds any more. */
  void clearSpeculation() {
    speculative.clear();
  }

  /** After {@code applied} was published in the replica: drops the speculation it made stale or caught up with. */
  void applied(Applied applied) {
    for (EntityKey key : applied.speculationDropped()) {
      speculative.remove(key);
    }
    for (Map.Entry<EntityKey, Long> committed : applied.versionsCommitted().entrySet()) {
      Speculation s = speculative.get(committed.getKey());
      if (s != null && s.value().version() <= committed.getValue()) {
        speculative.remove(committed.getKey(), s);
      }
    }
  }

  /** This term's view for the decider: speculation first, then applied state (see the class comment). */
  private final class Working implements Decider.WorkingState {
    private final long term;

    Working(long term) {
      this.term = term;
    }

    @Override
    public Versioned get(EntityKey key) {
      Speculation s = speculative.get(key);
      Versioned applied = replica.get(key);
      long appliedVersion = applied == null ? 0 : applied.version();
      if (s != null && s.term() == term && s.value().version() > appliedVersion) {
        return s.value();
      }
      return applied;
    }

    @Override
    public void speculate(EntityKey key, Versioned state) {
      speculative.put(key, new Speculation(state, term));
    }

    @Override
    public void forget(EntityKey key) {
      speculative.remove(key);
    }

    @Override
    public boolean remembered(RequestKey request) {
      return replica.remembered(request);
    }
  }
}
