package io.pachyderm.replica;

import io.pachyderm.protocol.AdminAction;
import io.pachyderm.protocol.BatchReply;
import io.pachyderm.protocol.Command;
import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.DeadLetterAction;
import io.pachyderm.protocol.Delivery;
import io.pachyderm.protocol.EffectFailure;
import io.pachyderm.protocol.EffectReport;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.LogEntry;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.PendingMessage;
import io.pachyderm.protocol.PendingTimer;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.protocol.RequestId;
import io.pachyderm.protocol.TimerFire;
import io.pachyderm.runtime.EntityKey;
import io.pachyderm.runtime.TimerKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded, deterministic driver of the real {@link Decider} and {@link Replica}: a leader builds
 * entries from random client commands, deliveries, timer fires, effect reports, dead-letter and
 * admin actions against its working state; entries commit and replicas apply them at their own
 * pace; leaders change (working state discarded, uncommitted entries lost), replicas restart from a
 * snapshot and replay the log after it, or install another replica's snapshot.
 *
 * <p>It checks that replicas applying the same entry agree on the digest, the reply and the journal
 * records; that snapshots at the same index are the same bytes and restore to the same digest; that
 * a request, once answered, is always answered the same; and, at the end, the entities' own
 * invariants: no event folded at another version than it was decided at ({@code stale}), no
 * account below zero, money conserved. A seed gives the same run every time (TigerBeetle's VOPR is
 * the model): nothing here reads a clock or an unseeded random source, and no unordered map is
 * iterated.
 */
final class ReplicaSimulation {
  static final int RECORD_BYTES_MAX = 1024;
  /** Small, so that some batches defer items (which drops the leader's speculation for them). */
  static final int ENTRY_BYTES_MAX = 420;

  /** @param versionCheck false plants the bug the run must catch: records applied at any version */
  record Options(int replicas, int steps, boolean versionCheck) {}

  /** What a run found: {@code problems} is empty when every check held. */
  record Report(long seed, List<String> problems, Map<String, Long> counts, List<String> trace) {}

  private final long seed;
  private final Options options;
  private final SplittableRandom random;
  private final Decider decider = new Decider("leader", SimEntities.TYPES,
      name -> name.equals(SimEntities.NOTIFY) || name.equals(SimEntities.LOG), RECORD_BYTES_MAX, ENTRY_BYTES_MAX);
  private final List<Node> nodes = new ArrayList<>();
  /** Committed entries: index i + 1 holds log.get(i). */
  private final List<Committed> log = new ArrayList<>();
  private final List<LogEntry> pending = new ArrayList<>();
  private int leader;
  private long term = 1;
  private final TreeMap<EntityKey, Versioned> speculation = new TreeMap<>();
  private long nowMs = 1_000_000;
  private long clientSeq;
  private final List<Command> sent = new ArrayList<>();
  private final Map<Long, Long> digestAt = new HashMap<>();
  private final Map<Long, BatchReply> replyAt = new HashMap<>();
  private final Map<Long, List<JournalRecord>> journalAt = new HashMap<>();
  private final Map<Long, byte[]> snapshotAt = new HashMap<>();
  private final Map<RequestKey, Outcome> answered = new HashMap<>();
  private final TreeMap<String, Long> counts = new TreeMap<>();
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  private final List<String> problems = new ArrayList<>();

  private record Committed(long term, LogEntry entry, int builtBy, long incarnation) {}

  private final class Node {
    final int id;
    Replica replica;
    long applied;
    long incarnation;
    MemorySnapshot snapshot;

    Node(int id) {
      this.id = id;
      this.replica = newReplica(id);
    }
  }

  private ReplicaSimulation(long seed, Options options) {
    this.seed = seed;
    this.options = options;
    this.random = new SplittableRandom(seed);
    for (int i = 0; i < options.replicas(); i++) {
      nodes.add(new Node(i));
    }
  }

  static Report run(long seed, Options options) {
    ReplicaSimulation sim = new ReplicaSimulation(seed, options);
    try {
      sim.steps();
      sim.finish();
    } catch (RuntimeException e) {
      sim.problems.add("step threw " + e);
    }
    return new Report(seed, List.copyOf(sim.problems), Map.copyOf(sim.counts), List.copyOf(sim.trace));
  }

  private Replica newReplica(int id) {
    return new Replica("n" + id, SimEntities.TYPES, new HeapStateStore(), 100_000, ReplicatedTableLimits.DEFAULT,
        true, options.versionCheck());
  }

  private void steps() {
    for (int step = 0; step < options.steps() && problems.isEmpty(); step++) {
      nowMs += random.nextInt(60);
      int roll = random.nextInt(100);
      if (roll < 28) {
        clientBatch();
      } else if (roll < 38) {
        deliveries();
      } else if (roll < 45) {
        timerFire();
      } else if (roll < 51) {
        effectReport();
      } else if (roll < 54) {
        deadLetterAction();
      } else if (roll < 56) {
        admin();
      } else if (roll < 71) {
        commit();
      } else if (roll < 88) {
        applySome(nodes.get(random.nextInt(nodes.size())), 1 + random.nextInt(6));
      } else if (roll < 90) {
        leaderChange();
      } else if (roll < 93) {
        forgetSpeculation();
      } else if (roll < 96) {
        snapshot(nodes.get(random.nextInt(nodes.size())));
      } else if (roll < 98) {
        restart();
      } else {
        installSnapshot();
      }
    }
  }

  // ---- the leader ---------------------------------------------------------------------------------

  private Node leaderNode() {
    return nodes.get(leader);
  }

  /** The leader's working state, as the node's LeaderEntries keeps it: speculation first, then applied. */
  private final Decider.WorkingState working = new Decider.WorkingState() {
    @Override
    public Versioned get(EntityKey key) {
      Versioned s = speculation.get(key);
      Versioned applied = leaderNode().replica.get(key);
      long appliedVersion = applied == null ? 0 : applied.version();
      return s != null && s.version() > appliedVersion ? s : applied;
    }

    @Override
    public void speculate(EntityKey key, Versioned state) {
      speculation.put(key, state);
    }

    @Override
    public void forget(EntityKey key) {
      speculation.remove(key);
    }

    @Override
    public boolean remembered(RequestKey request) {
      return leaderNode().replica.remembered(request);
    }
  };

  private void propose(CommandBatch batch, String what) {
    LogEntry entry = decider.entry(WorkItem.of(batch, leaderNode().replica.outbox()), working, nowMs);
    pending.add(entry);
    note(what + " -> " + entry.getRecordsCount() + " records");
  }

  private void clientBatch() {
    CommandBatch.Builder batch = CommandBatch.newBuilder();
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      if (!sent.isEmpty() && random.nextInt(8) == 0) {
        batch.addCommands(sent.get(random.nextInt(sent.size()))); // a client's retry: same request id
        count("retries");
      } else {
        Command c = newCommand();
        if (sent.size() < 300) {
          sent.add(c);
        } else {
          sent.set(random.nextInt(sent.size()), c);
        }
        batch.addCommands(c);
      }
    }
    propose(batch.build(), "client batch of " + n);
  }

  private Command newCommand() {
    int kind = random.nextInt(100);
    EntityKey key;
    Object command;
    if (kind < 30) {
      key = key("counter", "c" + random.nextInt(4));
      command = new SimEntities.Add(1 + random.nextInt(5));
    } else if (kind < 70) {
      key = key("account", "a" + random.nextInt(4));
      command = random.nextInt(10) < 4 ? new SimEntities.Deposit(1 + random.nextInt(100))
          : new SimEntities.Transfer("a" + random.nextInt(4), 1 + random.nextInt(150));
    } else if (kind < 97) {
      key = key("alarm", "l" + random.nextInt(3));
      String name = "t" + random.nextInt(3);
      int which = random.nextInt(10);
      command = which < 5 ? new SimEntities.Arm(name, random.nextInt(2_000))
          : which < 7 ? new SimEntities.Disarm(name) : new SimEntities.Ring(name);
    } else {
      key = key("ghost", "g");
      command = new SimEntities.Add(1);
    }
    var type = SimEntities.TYPES.find(key.type());
    var codec = (type != null ? type : SimEntities.COUNTER).codec();
    return Command.newBuilder()
        .setRequestId(RequestId.newBuilder().setClientHi(seed).setClientLo(7).setSequence(++clientSeq))
        .setRef(Protos.ref(key)).setPayload(Protos.payload(codec.encode(command)))
        .setReplyWanted(random.nextBoolean()).build();
  }

  private static EntityKey key(String type, String id) {
    return new EntityKey("default", type, id);
  }

  private void deliveries() {
    List<Outbox.Id> ids = new ArrayList<>();
    for (Map.Entry<Outbox.Id, PendingMessage> e : leaderNode().replica.outbox().messages()) {
      ids.add(e.getKey());
    }
    if (ids.isEmpty()) {
      return;
    }
    CommandBatch.Builder batch = CommandBatch.newBuilder();
    int n = 1 + random.nextInt(2);
    for (int i = 0; i < n; i++) {
      Outbox.Id id = ids.get(random.nextInt(ids.size())); // not always the oldest of its pair
      batch.addDeliveries(Delivery.newBuilder().setSource(Protos.ref(id.source())).setSeq(id.seq()));
    }
    propose(batch.build(), "deliveries");
  }

  private void timerFire() {
    List<PendingTimer> timers = new ArrayList<>();
    for (Map.Entry<TimerKey, PendingTimer> e : leaderNode().replica.outbox().timers()) {
      timers.add(e.getValue());
    }
    if (timers.isEmpty()) {
      return;
    }
    PendingTimer t = timers.get(random.nextInt(timers.size()));
    if (random.nextBoolean()) {
      nowMs = Math.max(nowMs, t.getDueMs()); // the leader's work loop fires timers that are due
    }
    long seq = random.nextInt(10) == 0 ? t.getSeq() + 1 : t.getSeq();
    propose(CommandBatch.newBuilder().addTimerFires(TimerFire.newBuilder().setOwner(t.getOwner())
        .setName(t.getName()).setSeq(seq)).build(), "timer fire");
  }

  private void effectReport() {
    List<PendingEffect> effects = new ArrayList<>();
    for (Map.Entry<Outbox.Id, PendingEffect> e : leaderNode().replica.outbox().effects()) {
      effects.add(e.getValue());
    }
    if (effects.isEmpty()) {
      return;
    }
    PendingEffect effect = effects.get(random.nextInt(effects.size()));
    EffectReport.Builder report = EffectReport.newBuilder().setId(effect.getId());
    if (random.nextBoolean()) {
      report.setSucceeded(true);
    } else {
      int attempt = effect.getAttempts() + (random.nextInt(8) == 0 ? 0 : 1); // sometimes a late report
      report.setFailed(EffectFailure.newBuilder().setAttempt(attempt).setError("down")
          .setDeadLetter(random.nextInt(10) < 4).setTimestampMs(nowMs));
    }
    pending.add(LogEntry.newBuilder().addEffectReports(report).build());
    note("effect report " + report.getResultCase());
  }

  private void deadLetterAction() {
    List<PendingEffect> dead = leaderNode().replica.outbox().deadLetters(0);
    if (dead.isEmpty()) {
      return;
    }
    PendingEffect d = dead.get(random.nextInt(dead.size()));
    DeadLetterAction.Builder action = DeadLetterAction.newBuilder().setId(d.getId());
    if (random.nextBoolean()) {
      action.setRedrive(true);
    } else {
      action.setDiscard(true);
    }
    pending.add(LogEntry.newBuilder().addDeadLetterActions(action).build());
    note("dead letter " + action.getActionCase());
  }

  private void admin() {
    AdminAction action = random.nextBoolean() ? AdminAction.newBuilder().setPauseEffects(true).build()
        : AdminAction.newBuilder().setResumeEffects(true).build();
    pending.add(LogEntry.newBuilder().setAdminAction(action).build());
    note("admin " + action.getActionCase());
  }

  /** A prefix of the leader's uncommitted entries commits. */
  private void commit() {
    if (pending.isEmpty()) {
      return;
    }
    int n = 1 + random.nextInt(pending.size());
    for (int i = 0; i < n; i++) {
      log.add(new Committed(term, pending.remove(0), leader, leaderNode().incarnation));
    }
    note("commit " + n + " (log at " + log.size() + ")");
  }

  /**
   * A new term: a prefix of the old leader's uncommitted entries may still commit, the rest is
   * lost; the new leader's speculation starts empty, and it builds only once it has applied every
   * committed entry (Ratis' leader readiness).
   */
  private void leaderChange() {
    int keep = random.nextInt(pending.size() + 1);
    for (int i = 0; i < keep; i++) {
      log.add(new Committed(term, pending.remove(0), leader, leaderNode().incarnation));
    }
    count("entries lost", pending.size());
    pending.clear();
    speculation.clear();
    term++;
    leader = random.nextInt(nodes.size());
    applySome(leaderNode(), Integer.MAX_VALUE);
    count("leader changes");
    note("leader n" + leader + " in term " + term);
  }

  /**
   * The leader drops an entity's speculation while an entry built on it is not applied yet (the
   * node does so when it defers an item or a transaction is cancelled): the next record of that
   * entity is built on older state and must come out a conflict, not a second history.
   */
  private void forgetSpeculation() {
    if (speculation.isEmpty()) {
      return;
    }
    List<EntityKey> keys = new ArrayList<>(speculation.keySet());
    EntityKey key = keys.get(random.nextInt(keys.size()));
    speculation.remove(key);
    note("forget speculation of " + key);
  }

  // ---- replicas --------------------------------------------------------------------------------

  private void applySome(Node node, int entriesMax) {
    for (int i = 0; i < entriesMax && node.applied < log.size() && problems.isEmpty(); i++) {
      applyNext(node);
    }
  }

  private void applyNext(Node node) {
    long index = node.applied + 1;
    Committed c = log.get((int) index - 1);
    boolean appendedHere = c.builtBy() == node.id && c.incarnation() == node.incarnation;
    Applied applied = node.replica.apply(c.term(), index, c.entry(), appendedHere);
    node.applied = index;
    if (node.id == leader) {
      // What LeaderEntries does after each applied entry.
      for (EntityKey key : applied.speculationDropped()) {
        speculation.remove(key);
      }
      for (Map.Entry<EntityKey, Long> v : applied.versionsCommitted().entrySet()) {
        Versioned s = speculation.get(v.getKey());
        if (s != null && s.version() <= v.getValue()) {
          speculation.remove(v.getKey());
        }
      }
    }
    agree(digestAt, index, node.replica.digest(), node, "digest");
    agree(replyAt, index, applied.reply(), node, "reply");
    agree(journalAt, index, applied.journalRecords(), node, "journal records");
    for (Outcome o : applied.reply().getOutcomesList()) {
      if (o.hasApplied() || o.hasRejected()) {
        Outcome first = answered.putIfAbsent(RequestKey.of(o.getRequestId()), o);
        if (first != null && !first.equals(o)) {
          problems.add("request " + RequestKey.of(o.getRequestId()) + " was answered " + first + " and later " + o
              + " (n" + node.id + ", index " + index + ")");
        }
      }
      if (o.hasConflict()) {
        count("conflicts");
      }
    }
    count("records applied", c.entry().getRecordsCount());
    for (var w : applied.reply().getWorkList()) {
      count("work " + w);
    }
  }

  private <T> void agree(Map<Long, T> seen, long index, T value, Node node, String what) {
    T first = seen.putIfAbsent(index, value);
    if (first != null && !Objects.deepEquals(first, value)) {
      problems.add("replicas diverged at index " + index + ": n" + node.id + "'s " + what + " differs from an "
          + "earlier replica's");
    }
  }

  private void snapshot(Node node) {
    MemorySnapshot s = MemorySnapshot.of(node.replica, node.applied);
    agree(snapshotAt, s.index, s.bytes(), node, "snapshot bytes");
    if (s.index > 0 && s.digest() != digestAt.get(s.index)) {
      problems.add("n" + node.id + "'s snapshot at " + s.index + " records another digest than the replica had");
    }
    node.snapshot = s;
    count("snapshots");
  }

  /** A follower restarts: a new replica from its latest snapshot, then the log after it. */
  private void restart() {
    Node node = nodes.get(random.nextInt(nodes.size()));
    if (node.id == leader) {
      return;
    }
    node.incarnation++;
    node.replica = newReplica(node.id);
    node.applied = 0;
    if (node.snapshot != null) {
      restore(node, node.snapshot);
    }
    count("restarts");
    note("restart n" + node.id + " from index " + node.applied);
  }

  /** A lagging follower installs the leader's latest snapshot instead of applying the entries before it. */
  private void installSnapshot() {
    Node node = nodes.get(random.nextInt(nodes.size()));
    MemorySnapshot s = leaderNode().snapshot;
    if (node.id == leader || s == null || s.index <= node.applied) {
      return;
    }
    node.replica = newReplica(node.id);
    restore(node, s);
    count("installs");
    note("n" + node.id + " installs snapshot " + s.index);
  }

  private void restore(Node node, MemorySnapshot s) {
    long digest;
    try {
      digest = node.replica.restore(s.source());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    node.applied = s.index;
    if (digest != s.digest() || node.replica.digest() != s.digest()) {
      problems.add("n" + node.id + " restored snapshot " + s.index + " to another digest");
    }
    if (!Arrays.equals(MemorySnapshot.of(node.replica, s.index).bytes(), s.bytes())) {
      problems.add("n" + node.id + " restored snapshot " + s.index + " writes other bytes");
    }
  }

  // ---- the end ---------------------------------------------------------------------------------

  /** Everything commits and every replica catches up: all must hold the same bytes, and the entities' invariants. */
  private void finish() {
    if (!problems.isEmpty()) {
      return;
    }
    commit();
    while (!pending.isEmpty()) {
      commit();
    }
    for (Node node : nodes) {
      applySome(node, Integer.MAX_VALUE);
    }
    byte[] first = null;
    for (Node node : nodes) {
      byte[] bytes = MemorySnapshot.of(node.replica, node.applied).bytes();
      if (first != null && !Arrays.equals(first, bytes)) {
        problems.add("after catching up, n" + node.id + "'s snapshot differs from n0's");
      }
      first = first == null ? bytes : first;
    }
    invariants(nodes.get(0).replica);
    count("log entries", log.size());
  }

  private void invariants(Replica replica) {
    long balances = 0;
    long deposited = 0;
    for (EntityKey key : replica.keys()) {
      Object state = replica.get(key).state();
      boolean stale = false;
      if (state instanceof SimEntities.CounterState c) {
        stale = c.stale();
      } else if (state instanceof SimEntities.AccountState a) {
        stale = a.stale();
        balances += a.balance();
        deposited += a.deposited();
        if (a.balance() < 0) {
          problems.add(key + " is overdrawn: " + a);
        }
      } else if (state instanceof SimEntities.AlarmState l) {
        stale = l.stale();
      }
      if (stale) {
        problems.add(key + " folded an event decided at another version (a lost update): " + state);
      }
    }
    long inFlight = 0;
    for (Map.Entry<Outbox.Id, PendingMessage> e : replica.outbox().messages()) {
      Object command = SimEntities.ACCOUNT.codec().decode(Protos.encoded(e.getValue().getPayload()));
      inFlight += ((SimEntities.Credit) command).amount();
    }
    if (balances + inFlight != deposited) {
      problems.add("money not conserved: balances " + balances + " + in flight " + inFlight + " != deposited "
          + deposited);
    }
  }

  private void note(String what) {
    if (trace.size() == 40) {
      trace.removeFirst();
    }
    trace.addLast("[t" + term + " log " + log.size() + "] " + what);
  }

  private void count(String what) {
    count(what, 1);
  }

  private void count(String what, long n) {
    counts.merge(what, n, Long::sum);
  }
}
