package io.pachyderm.node.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.node.security.Refusals;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.RejectionKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A node's own meters ({@code pachyderm_*}): the one place the hot classes report to, so that
 * they stay free of Micrometer. Everything here is a side output: nothing on the apply path reads
 * it back, so it cannot change what a replica computes.
 *
 * <p>Hot-path cost: the calls from the apply thread and the leader's request threads are a
 * lock-free map lookup (tags cached per ecosystem and type) and a Micrometer counter or timer
 * update. Gauges are functions read when the registry is scraped.
 *
 * <p>Tag cardinality is bounded: no entity id is ever a tag; ecosystems are tags for the first
 * {@link #ECOSYSTEM_TAGS_MAX} seen, later ones share {@value #OTHER}; types are the registered
 * names, anything else is {@value #UNKNOWN}; handlers are the registered names.
 *
 * <p>Thread-safe.
 */
public final class NodeMetrics {
  /** Distinct ecosystems that get their own latency series; tests create throwaway ecosystems. */
  static final int ECOSYSTEM_TAGS_MAX = 32;
  static final String OTHER = "_other";
  static final String UNKNOWN = "_unknown";

  /**
   * Latency buckets (seconds) of the call histogram: fixed, so that a percentile over nodes and
   * time can be computed from bucket counters (PromQL histogram_quantile) with 16 series per tag set.
   */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
    Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
    Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};
  /** Records per log entry: powers of two up to the default batch limit. */
  static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private final MeterRegistry registry;
  /** {@code node=<id>} on every meter: nodes sharing an application's registry keep apart. */
  private final Tags nodeTag;
  private final Set<String> typeNames;
  private final List<Meter> meters = new ArrayList<>();

  private final Counter accepted;
  private final Counter conflicts;
  /** Indexed by {@link RejectionKind#getNumber()}; the protocol enum is small and dense. */
  private final Counter[] rejected;
  private final DistributionSummary batchRecords;
  private final Counter leaderChanges;
  private final Timer snapshotDuration;
  private final AtomicLong snapshotBytes = new AtomicLong();
  private final Counter journalRecordsAppended;
  private final Map<String, Map<String, Timer>> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> effectCounters = new ConcurrentHashMap<>();

  public NodeMetrics(String nodeId, MeterRegistry registry, Set<String> typeNames) {
    this.registry = registry;
    this.nodeTag = Tags.of("node", nodeId);
    this.typeNames = Set.copyOf(typeNames);
    this.accepted = keep(Counter.builder("pachyderm.commands")
        .description("Client commands this node appended as leader, by outcome once applied")
        .tags("result", "accepted", "kind", "none").tags(nodeTag).register(registry));
    this.conflicts = keep(Counter.builder("pachyderm.commands")
        .description("Client commands this node appended as leader, by outcome once applied")
        .tags("result", "conflict", "kind", "none").tags(nodeTag).register(registry));
    RejectionKind[] kinds = RejectionKind.values();
    int size = 0;
    for (RejectionKind k : kinds) {
      if (k != RejectionKind.UNRECOGNIZED) {
        size = Math.max(size, k.getNumber() + 1);
      }
    }
    this.rejected = new Counter[size];
    for (RejectionKind k : kinds) {
      if (k != RejectionKind.UNRECOGNIZED && k != RejectionKind.REJECTION_KIND_UNSPECIFIED) {
        rejected[k.getNumber()] = keep(Counter.builder("pachyderm.commands")
            .description("Client commands this node appended as leader, by outcome once applied")
            .tags("result", "rejected", "kind", k.name().toLowerCase(Locale.ROOT)).tags(nodeTag).register(registry));
      }
    }
    this.batchRecords = keep(DistributionSummary.builder("pachyderm.batch.records")
        .description("Records (commands, deliveries, timer fires) per log entry this node appended as leader")
        .serviceLevelObjectives(BATCH_BUCKETS).tags(nodeTag).register(registry));
    this.leaderChanges = keep(Counter.builder("pachyderm.leader.changes")
        .description("Leader changes this node has seen").tags(nodeTag).register(registry));
    this.snapshotDuration = keep(Timer.builder("pachyderm.snapshot.duration")
        .description("Time to write a snapshot (state machine side, on the apply thread)").tags(nodeTag).register(registry));
    keep(Gauge.builder("pachyderm.snapshot.size", snapshotBytes, AtomicLong::get).baseUnit("bytes")
        .description("Size of the last snapshot this node wrote").tags(nodeTag).register(registry));
    this.journalRecordsAppended = keep(Counter.builder("pachyderm.journal.records.appended")
        .description("Event records appended to this node's journal (replays skipped)").tags(nodeTag).register(registry));
  }

  private <M extends Meter> M keep(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }

  /** The registry these meters live in. */
  public MeterRegistry registry() {
    return registry;
  }

  // ---- hot path: the leader's apply of its own entries --------------------------------------

  /**
   * A client command of an entry this node appended, applied with {@code outcome};
   * {@code latencyNs} runs from the batch's arrival at the state machine to this reply.
   */
  void commandApplied(String ecosystem, String type, Outcome outcome, long latencyNs) {
    switch (outcome.getResultCase()) {
      case APPLIED -> accepted.increment();
      case CONFLICT -> conflicts.increment();
      case REJECTED -> rejectedCounter(outcome.getRejected().getKind()).increment();
      case RESULT_NOT_SET -> {
        return;
      }
    }
    latencyTimer(ecosystem, type).record(latencyNs, TimeUnit.NANOSECONDS);
  }

  private Counter rejectedCounter(RejectionKind kind) {
    int n = kind == RejectionKind.UNRECOGNIZED ? -1 : kind.getNumber();
    Counter c = n >= 0 && n < rejected.length ? rejected[n] : null;
    // Unspecified or unknown kinds: the protocol maps them to INVALID_REQUEST for clients too.
    return c != null ? c : rejected[RejectionKind.INVALID_REQUEST.getNumber()];
  }

  private Timer latencyTimer(String ecosystem, String type) {
    Map<String, Timer> byType = latency.get(ecosystem);
    if (byType == null) {
      // Called from the apply thread only, so the bound is exact.
      String ecosystemTag = latency.size() < ECOSYSTEM_TAGS_MAX ? ecosystem : OTHER;
      byType = latency.computeIfAbsent(ecosystemTag, e -> new ConcurrentHashMap<>());
      ecosystem = ecosystemTag;
    }
    Timer t = byType.get(type);
    if (t == null) {
      String ecosystemTag = ecosystem;
      t = byType.computeIfAbsent(typeNames.contains(type) ? type : UNKNOWN, typeTag ->
          keep(Timer.builder("pachyderm.call.latency")
              .description("Leader side: from a command batch's arrival at the state machine to the command's reply")
              .tags("ecosystem", ecosystemTag, "type", typeTag)
              .serviceLevelObjectives(LATENCY_BUCKETS)
              .tags(nodeTag).register(registry)));
    }
    return t;
  }

  /** An entry this node appended as leader, holding {@code records} records, was applied. */
  void entryApplied(int records) {
    batchRecords.record(records);
  }

  /** {@code records} event records were appended to the journal (not counting skipped replays). */
  void journalAppended(int records) {
    if (records > 0) {
      journalRecordsAppended.increment(records);
    }
  }

  void leaderChanged() {
    leaderChanges.increment();
  }

  void snapshotTaken(long durationNs, long bytes) {
    snapshotDuration.record(durationNs, TimeUnit.NANOSECONDS);
    snapshotBytes.set(bytes);
  }

  // ---- effects ------------------------------------------------------------------------------

  /**
   * The handlers, each wrapped to count its attempts and failures ({@code pachyderm_effect_attempts_total},
   * {@code pachyderm_effect_failures_total} by handler). Both delivery guarantees run handlers
   * through these, so neither dispatcher needs to know about metrics.
   */
  Map<String, EffectHandler<?>> counting(Map<String, EffectHandler<?>> handlers) {
    Map<String, EffectHandler<?>> wrapped = new LinkedHashMap<>();
    for (Map.Entry<String, EffectHandler<?>> e : handlers.entrySet()) {
      wrapped.put(e.getKey(), counting(e.getKey(), e.getValue()));
    }
    return wrapped;
  }

  @SuppressWarnings("unchecked")
  private EffectHandler<Object> counting(String name, EffectHandler<?> handler) {
    EffectHandler<Object> h = (EffectHandler<Object>) handler;
    Counter[] counters = effectCounters.computeIfAbsent(name, n -> new Counter[] {
        keep(Counter.builder("pachyderm.effect.attempts").description("Effect handler runs on this node")
            .tag("handler", n).tags(nodeTag).register(registry)),
        keep(Counter.builder("pachyderm.effect.failures")
            .description("Effect handler runs on this node that threw").tag("handler", n).tags(nodeTag).register(registry))});
    return (effect, ctx) -> {
      counters[0].increment();
      try {
        h.dispatch(effect, ctx);
      } catch (Exception | Error e) {
        counters[1].increment();
        throw e;
      }
    };
  }

  // ---- gauges read at scrape time -------------------------------------------------------------

  /** A gauge {@code name} with {@code tags} (pairs) read from {@code source} at each scrape. */
  <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    keep(Gauge.builder(name, source, value).description(description).tags(tags).strongReference(true)
        .tags(nodeTag).register(registry));
  }

  /** A monotonic count {@code name} read from {@code source} at each scrape. */
  <T> void functionCounter(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
    keep(FunctionCounter.builder(name, source, value).description(description).tags(tags).tags(nodeTag).register(registry));
  }

  /** As {@link #gauge} for a supplier; null reads as NaN. */
  void supplierGauge(String name, String description, Supplier<Number> value, String... tags) {
    gauge(name, description, value, s -> {
      Number n = s.get();
      return n == null ? Double.NaN : n.doubleValue();
    }, tags);
  }

  /**
   * The gauges and counters read from the node's state at scrape time: Raft position and role,
   * readiness, apply lag, outbox depth, reliable-messaging totals, the journal and refusals.
   */
  public void bindNode(EntityStateMachine sm, HealthCheck health, Supplier<Refusals> refusals,
                       java.util.function.LongSupplier wrongPortCalls) {
    supplierGauge("pachyderm.apply.lag.entries",
        "Entries committed but not yet applied on this node (commit - applied)", () -> health.check().applyLagEntries());
    supplierGauge("pachyderm.commit.index", "The highest log index this node knows committed",
        () -> health.check().commitIndex());
    supplierGauge("pachyderm.applied.index", "The highest log index this node has applied", sm::appliedIndex);
    supplierGauge("pachyderm.term", "This node's current Raft term", () -> health.check().term());
    supplierGauge("pachyderm.leader", "1 while this node is the leader, else 0",
        () -> "LEADER".equals(health.check().role()) ? 1 : 0);
    supplierGauge("pachyderm.ready", "1 while /health/ready answers 200, else 0",
        () -> health.check().ready() ? 1 : 0);
    String pending = "Outbox items pending on this node's replica (the same on every replica once applied)";
    supplierGauge("pachyderm.outbox.pending", pending, () -> sm.outboxStats().pendingMessages(), "kind", "messages");
    supplierGauge("pachyderm.outbox.pending", pending, () -> sm.outboxStats().pendingEffects(), "kind", "effects");
    supplierGauge("pachyderm.outbox.pending", pending, () -> sm.outboxStats().deadLetters(), "kind", "dead_letters");
    supplierGauge("pachyderm.outbox.pending", pending, () -> sm.outboxStats().timers(), "kind", "timers");
    functionCounter("pachyderm.messages.delivered", "Entity-to-entity messages this node applied as delivered",
        sm, s -> s.outboxStats().messagesDelivered());
    functionCounter("pachyderm.messages.rejected", "Messages their receiver rejected, as this node applied them",
        sm, s -> s.outboxStats().messagesRejected());
    functionCounter("pachyderm.timers.fired", "Timer fires this node applied", sm, s -> s.outboxStats().timersFired());
    functionCounter("pachyderm.effects.at.most.once.failed",
        "At-most-once effects this node dropped (queue full) or whose handler threw", sm,
        EntityStateMachine::effectsFailedAtMostOnce);
    functionCounter("pachyderm.journal.appended.bytes",
        "Encoded bytes appended to this node's event journal since start", sm, EntityStateMachine::journalBytesAppended);
    supplierGauge("pachyderm.journal.records", "Event records this node's journal holds", sm::journalRecords);
    supplierGauge("pachyderm.effects.paused", "1 while an operator has paused at-least-once effects (replicated)",
        () -> sm.effectsPaused() ? 1 : 0);
    String refused = "Calls or requests this node refused: no verified certificate, not a member, not an admin, "
        + "a member speaking for another, not allowed by the authorization policy, a missing or wrong token, "
        + "a service called on another of the separate ports";
    functionCounter("pachyderm.refusals", refused, refusals, r -> r.get().unauthenticated(), "reason", "unauthenticated");
    functionCounter("pachyderm.refusals", refused, refusals, r -> r.get().notPeer(), "reason", "not_peer");
    functionCounter("pachyderm.refusals", refused, refusals, r -> r.get().notAdmin(), "reason", "not_admin");
    functionCounter("pachyderm.refusals", refused, refusals, r -> r.get().impersonation(), "reason", "impersonation");
    functionCounter("pachyderm.refusals", refused, refusals, r -> r.get().notAuthorized(), "reason", "not_authorized");
    functionCounter("pachyderm.refusals", refused, refusals, r -> r.get().badToken(), "reason", "bad_token");
    functionCounter("pachyderm.refusals", refused, wrongPortCalls, java.util.function.LongSupplier::getAsLong,
        "reason", "wrong_port");
  }

  /**
   * Removes this node's meters from the registry: a registry the application shares between
   * nodes (or keeps after the node) must not report a closed node's values.
   */
  public void close() {
    synchronized (meters) {
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }
}
