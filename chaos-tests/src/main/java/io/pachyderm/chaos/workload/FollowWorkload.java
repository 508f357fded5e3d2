package io.pachyderm.chaos.workload;

import io.pachyderm.api.Change;
import io.pachyderm.api.Entities;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.ReadMode;
import io.pachyderm.chaos.checker.Checker;
import io.pachyderm.chaos.checker.Dispatch;
import io.pachyderm.chaos.checker.FollowChecker;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Ref;
import io.pachyderm.runtime.EntityKey;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Followers: appends of unique elements to a few {@link FollowLogEntity}s while followers read
 * every change as it is applied, through the nemesis. Per entity three followers run for the
 * whole run: {@code follow(ref, 1, true)}, {@code follow(ref, 1, false)}, and {@code follow(ref)}
 * (from the current state) renewed every {@link #CURRENT_SESSION}, so that starts from the
 * current state happen under faults too. A follower whose {@code poll} fails (no node reachable
 * within the client's limits) records the session and follows again from {@code lastVersion() +
 * 1}, as the API documents.
 *
 * <p>After healing the workload reads each entity's final history ({@code history(ref, 1)},
 * linearizable), lets every follower catch up to its last version, and reads each node's journal
 * of each entity from that node alone. {@link FollowChecker} judges it all: every stream a
 * gap-free prefix of the final history, the same records on every node.
 *
 * <p>Thread-safe: the client processes call {@link #next} and {@link #invoke} concurrently;
 * {@link #start}, {@link #finish} and {@link #stop} are called by the runner's thread.
 */
final class FollowWorkload implements Workload {
  static final List<String> KEYS = List.of("f0", "f1", "f2");
  /** One poll waits at most this long, so a follower notices the end of its session soon. */
  private static final Duration POLL = Duration.ofMillis(500);
  /** A follower from the current state starts a new session this often. */
  static final Duration CURRENT_SESSION = Duration.ofSeconds(5);
  /** After healing, how long followers get to reach the final version (they are told it first). */
  private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(60);
  /** How long the final history read keeps retrying. */
  private static final Duration FINAL_HISTORY_WAIT = Duration.ofSeconds(30);
  /** Changes kept per session (about 100 bytes each); beyond it they are counted, not checked. */
  static final int CHANGES_PER_STREAM_MAX = 500_000;
  private static final int JOURNAL_PAGE_RECORDS = 1_000;
  private static final int JOURNAL_READ_ATTEMPTS = 5;
  private static final FollowChecker.Fold FOLD = new FollowChecker.Fold() {
    @Override
    public Object initial() {
      return FollowLogEntity.State.INITIAL;
    }

    @Override
    public Object apply(Object state, FollowChecker.Event event) {
      return ((FollowLogEntity.State) state).plus(event.element());
    }
  };

  private final AtomicLong elements = new AtomicLong();
  private volatile Followers followers;
  private volatile FollowChecker.Observations observations =
      new FollowChecker.Observations(Map.of(), Map.of(), List.of(), List.of());

  @Override
  public String name() {
    return "follow";
  }

  @Override
  public OpSpec next(RandomGenerator random) {
    return new OpSpec(Op.APPEND, KEYS.get(random.nextInt(KEYS.size())), elements.incrementAndGet());
  }

  @Override
  public CompletableFuture<Object> invoke(Entities client, OpSpec op) {
    return client.sendAsync(ref(op.key()), new FollowLogEntity.Append(op.number())).thenApply(version -> null);
  }

  @Override
  public CompletableFuture<Object> finalRead(Entities nodeClient, String key) {
    return nodeClient.queryAsync(ref(key), ReadMode.STALE).thenApply(s -> s.state().count());
  }

  @Override
  public List<String> keys() {
    return KEYS;
  }

  @Override
  public List<Checker> checkers(List<Dispatch> dispatches) {
    return List.of(new FollowChecker(observations, FOLD));
  }

  @Override
  public void start(ClusterAccess cluster) {
    Followers f = new Followers(cluster.newClient().get());
    followers = f;
    f.start();
  }

  @Override
  public void finish(ClusterAccess cluster, Map<String, String> info) throws InterruptedException {
    Followers f = followers;
    try (PachydermClient client = cluster.newClient().get()) {
      Map<String, List<FollowChecker.Event>> histories = new LinkedHashMap<>();
      Map<String, String> errors = new LinkedHashMap<>();
      for (String key : KEYS) {
        try {
          List<FollowChecker.Event> events = finalHistory(client, key);
          histories.put(key, events);
          if (f != null) {
            f.target(key, events.size());
          }
        } catch (RuntimeException e) {
          errors.put(key, e.toString());
        }
      }
      List<FollowChecker.Stream> streams = List.of();
      if (f != null) {
        long startNs = System.nanoTime();
        boolean caughtUp = f.awaitDone(CATCH_UP_WAIT);
        info.put("followers caught up", (caughtUp ? "in " : "NOT within ")
            + (System.nanoTime() - startNs) / 1_000_000 + " ms");
        streams = f.stopAndCollect();
      }
      List<FollowChecker.NodeJournal> journals = new ArrayList<>();
      for (String node : cluster.nodeIds()) {
        for (String key : KEYS) {
          journals.add(readJournal(client, node, key));
        }
      }
      observations = new FollowChecker.Observations(histories, errors, streams, journals);
    }
  }

  @Override
  public void stop() {
    Followers f = followers;
    if (f != null) {
      f.stopAndCollect();
    }
  }

  private static EntityRef<FollowLogEntity.State, FollowLogEntity.Command> ref(String key) {
    return FollowLogEntity.TYPE.ref(key);
  }

  /** {@code history(ref, 1)}, retried until {@link #FINAL_HISTORY_WAIT}: the cluster has just healed. */
  private static List<FollowChecker.Event> finalHistory(PachydermClient client, String key)
      throws InterruptedException {
    long deadlineNs = System.nanoTime() + FINAL_HISTORY_WAIT.toNanos();
    for (;;) {
      try {
        List<FollowChecker.Event> events = new ArrayList<>();
        for (HistoryEvent e : client.history(ref(key), 1)) {
          events.add(event(e));
        }
        return events;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadlineNs) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  static FollowChecker.Event event(HistoryEvent e) {
    return new FollowChecker.Event(e.version(), e.logIndex(), e.term(), e.encoded().type(), e.encoded().data(),
        e.event(FollowLogEntity.Appended.class).element(), null);
  }

  static FollowChecker.Event event(JournalRecord r) {
    Encoded encoded = Protos.encoded(r.getEvent());
    Object decoded = FollowLogEntity.TYPE.codec().decode(encoded);
    long element = decoded instanceof FollowLogEntity.Appended a ? a.element() : Long.MIN_VALUE;
    return new FollowChecker.Event(r.getVersion(), r.getLogIndex(), r.getTerm(), encoded.type(), encoded.data(),
        element, r.toByteArray());
  }

  /** Node {@code node}'s journal of {@code key}, page by page from version 1, from that node alone. */
  static FollowChecker.NodeJournal readJournal(PachydermClient client, String node, String key)
      throws InterruptedException {
    Ref ref = Protos.ref(new EntityKey(client.ecosystem(), FollowLogEntity.NAME, key));
    List<FollowChecker.Event> records = new ArrayList<>();
    long first = -1;
    long last = 0;
    long from = 1;
    int failures = 0;
    // Bounded: every pass reads a page that moves "from" on, ends, or counts a failure.
    for (;;) {
      HistoryPage page;
      try {
        page = client.encodedOperations()
            .readHistoryPage(node, HistoryQuery.newBuilder().setRef(ref).setFromVersion(from)
            .setLimit(JOURNAL_PAGE_RECORDS).setWaitMs(0).build());
      } catch (IOException | RuntimeException e) {
        if (++failures >= JOURNAL_READ_ATTEMPTS) {
          return new FollowChecker.NodeJournal(node, key, Math.max(0, first), last, records,
              "reading from v" + from + " failed " + failures + " times, last: " + e);
        }
        Thread.sleep(500);
        continue;
      }
      if (page.getJournalDisabled()) {
        return new FollowChecker.NodeJournal(node, key, 0, page.getLastVersion(), records, "the journal is disabled");
      }
      if (first < 0) {
        first = page.getFirstVersion();
      }
      last = page.getLastVersion();
      for (JournalRecord r : page.getRecordsList()) {
        records.add(event(r));
      }
      if (page.getRecordsCount() == 0 || records.get(records.size() - 1).version() >= last) {
        return new FollowChecker.NodeJournal(node, key, first, last, records, null);
      }
      long next = records.get(records.size() - 1).version() + 1;
      if (next <= from) {
        return new FollowChecker.NodeJournal(node, key, first, last, records, "the page from v" + from
            + " did not move on (ended at v" + (next - 1) + ")");
      }
      from = next;
    }
  }

  /** The follower threads of one run. */
  private static final class Followers {
    private enum Mode { FROM_FIRST_WITH_STATES, FROM_FIRST, FROM_CURRENT }

    private final PachydermClient client;
    private final List<Thread> threads = new ArrayList<>();
    private final List<FollowChecker.Stream> streams = new ArrayList<>();
    private final Map<String, Long> targets = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    Followers(PachydermClient client) {
      this.client = client;
    }

    void start() {
      for (String key : KEYS) {
        for (Mode mode : Mode.values()) {
          String name = key + "/" + mode.name().toLowerCase().replace('_', '-');
          Thread t = new Thread(() -> follow(name, key, mode), "chaos-follower-" + name);
          t.setDaemon(true);
          threads.add(t);
        }
      }
      threads.forEach(Thread::start);
    }

    /** Tells the followers of {@code key} the final version: each stops once it has reached it. */
    void target(String key, long version) {
      targets.put(key, version);
    }

    /** Waits until every follower has reached its target; false if {@code wait} ran out first. */
    boolean awaitDone(Duration wait) throws InterruptedException {
      long deadlineNs = System.nanoTime() + wait.toNanos();
      for (Thread t : threads) {
        long leftMs = Math.max(1, (deadlineNs - System.nanoTime()) / 1_000_000);
        t.join(leftMs);
        if (t.isAlive()) {
          return false;
        }
      }
      return true;
    }

    /** Stops every follower (each records its session) and returns every session recorded. */
    List<FollowChecker.Stream> stopAndCollect() {
      stopping = true;
      for (Thread t : threads) {
        try {
          t.join(POLL.multipliedBy(20).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      try {
        client.close();
      } catch (RuntimeException e) {
        // Discarded either way.
      }
      synchronized (streams) {
        return List.copyOf(streams);
      }
    }

    private boolean reached(String key, long version) {
      Long target = targets.get(key);
      return target != null && version >= target;
    }

    private void follow(String name, String key, Mode mode) {
      long lastVersion = 0;
      while (!stopping && !reached(key, lastVersion)) {
        long from = mode == Mode.FROM_CURRENT ? Follow.FROM_CURRENT : lastVersion + 1;
        boolean withStates = mode != Mode.FROM_FIRST;
        long sessionEndNs = mode == Mode.FROM_CURRENT ? System.nanoTime() + CURRENT_SESSION.toNanos() : Long.MAX_VALUE;
        List<FollowChecker.Change> changes = new ArrayList<>();
        long dropped = 0;
        String endedBy = null;
        Follow<FollowLogEntity.State> follow = null;
        try {
          follow = client.follow(ref(key), from, withStates);
          while (!stopping && System.nanoTime() - sessionEndNs < 0) {
            Change<FollowLogEntity.State> c = follow.poll(POLL);
            if (c != null) {
              if (changes.size() < CHANGES_PER_STREAM_MAX) {
                changes.add(new FollowChecker.Change(c.version(), c.event() == null ? null : event(c.event()),
                    c.state()));
              } else {
                dropped++;
              }
            }
            if (reached(key, follow.lastVersion())) {
              break;
            }
          }
        } catch (InterruptedException e) {
          endedBy = "interrupted";
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          endedBy = e.toString();
        } finally {
          long sessionLast = follow == null ? lastVersion : follow.lastVersion();
          if (follow != null) {
            follow.close();
          }
          synchronized (streams) {
            streams.add(new FollowChecker.Stream(name, key, from, withStates, changes, dropped, sessionLast, endedBy));
          }
          lastVersion = Math.max(lastVersion, sessionLast);
        }
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        if (endedBy != null) {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }
}
