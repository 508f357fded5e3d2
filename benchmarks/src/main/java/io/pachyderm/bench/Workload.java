package io.pachyderm.bench;

import io.pachyderm.api.Entities;
import io.pachyderm.api.EntityState;
import io.pachyderm.api.Futures;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.examples.bank.Account;
import io.pachyderm.examples.counter.Counter;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: {@code threads} threads each issue blocking calls one after another, spread
 * round-robin over {@code entityCount} entities: {@code call(Increment(1))} on counters, or (load
 * {@link Scenario.Load#TRANSFERS}) {@code call(Transfer(1 cent))} from account k to account k+1,
 * whose credit then travels as a message. Every phase is bounded by
 * a number of calls and by a time limit (a thread stops issuing calls once the limit has passed;
 * a call in flight then ends within the client's request timeout).
 *
 * <p>Closed loop: a slow call delays the next one of its thread, so the latencies are service
 * times at the offered concurrency, not response times at a fixed arrival rate.
 */
final class Workload {
  /** Latencies above this are clamped; the client's request timeout ends every call long before. */
  private static final long LATENCY_US_MAX = TimeUnit.MINUTES.toMicros(5);
  private static final Counter.Increment INCREMENT = new Counter.Increment(1);
  /** Queries in flight at once while summing the counters. */
  private static final int QUERY_WINDOW = 128;
  /** Beyond the phase's time limit and one request timeout: how long to wait for stragglers. */
  private static final Duration STRAGGLER_WAIT = Duration.ofSeconds(5);

  /** Each transfer moves one cent, so an account that pays and is paid at the same rate never runs dry. */
  private static final long TRANSFER_CENTS = 1;

  private final String name;
  private final Entities entities;
  private final int threads;
  private final Scenario.Load load;
  private final List<EntityRef<Counter.State, Counter.Command>> refs;
  private final List<EntityRef<Account.State, Account.Command>> accounts;
  private final List<EntityRef<BenchLog.State, BenchLog.Command>> logs;
  /** What each call of load APPENDS sends: one command that emits eventsPerCall events. */
  private final BenchLog.Append append;
  private final Duration requestTimeout;
  /** Numbers the transfers, so that every transfer id is unique within the run. */
  private final AtomicLong transferSeq = new AtomicLong();

  Workload(String name, Entities entities, int threads, int entityCount, Scenario.Load load,
           Duration requestTimeout) {
    this(name, entities, threads, entityCount, load, 1, requestTimeout);
  }

  Workload(String name, Entities entities, int threads, int entityCount, Scenario.Load load, int eventsPerCall,
           Duration requestTimeout) {
    this.name = name;
    this.append = new BenchLog.Append(eventsPerCall);
    this.entities = entities;
    this.threads = threads;
    this.load = load;
    this.requestTimeout = requestTimeout;
    List<EntityRef<Counter.State, Counter.Command>> counters = new ArrayList<>(entityCount);
    List<EntityRef<Account.State, Account.Command>> accountList = new ArrayList<>(entityCount);
    List<EntityRef<BenchLog.State, BenchLog.Command>> logList = new ArrayList<>(entityCount);
    for (int i = 0; i < entityCount; i++) {
      counters.add(Counter.TYPE.ref("bench-" + i));
      accountList.add(Account.TYPE.ref("bench-" + i));
      logList.add(BenchLog.TYPE.ref("bench-" + i));
    }
    this.refs = List.copyOf(counters);
    this.accounts = List.copyOf(accountList);
    this.logs = List.copyOf(logList);
  }

  Scenario.Load load() {
    return load;
  }

  /** What the load runs against, for progress lines. */
  String name() {
    return name;
  }

  /** Runs {@code calls} calls (fewer if {@code timeMax} passes first) and waits for the threads. */
  Measurement run(String phase, long calls, Duration timeMax, ErrorTally errors) throws InterruptedException {
    Histogram merged = new Histogram(LATENCY_US_MAX, 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong unknown = new AtomicLong();
    AtomicBoolean timeLimitHit = new AtomicBoolean();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    long[] deadlineNs = new long[1];
    List<Thread> started = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      int threadIndex = t;
      long share = calls / threads + (t < calls % threads ? 1 : 0);
      Thread thread = new Thread(() -> {
        Histogram mine = new Histogram(LATENCY_US_MAX, 3);
        try {
          go.await();
          runThread(phase, threadIndex, share, deadlineNs[0], mine, ok, failed, unknown, timeLimitHit, errors);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          synchronized (merged) {
            merged.add(mine);
          }
          done.countDown();
        }
      }, "bench-" + phase + "-" + t);
      // Daemon only as a last resort: the bounded wait below reports a thread that never ends.
      thread.setDaemon(true);
      thread.start();
      started.add(thread);
    }
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long compileMsBefore = jit.getTotalCompilationTime();
    long gcMsBefore = gcPauseMs();
    long startNs = System.nanoTime();
    deadlineNs[0] = startNs + timeMax.toNanos();
    go.countDown();
    // The deadline is published to the threads by go.countDown() (happens-before through the latch).
    Duration waitMax = timeMax.plus(requestTimeout).plus(STRAGGLER_WAIT);
    done.await(waitMax.toMillis(), TimeUnit.MILLISECONDS);
    long elapsedNs = System.nanoTime() - startNs;
    long compileMs = jit.getTotalCompilationTime() - compileMsBefore;
    long gcMs = gcPauseMs() - gcMsBefore;
    int stuck = (int) done.getCount();
    long joinDeadlineNs = System.nanoTime() + STRAGGLER_WAIT.toNanos();
    for (Thread t : started) {
      if (stuck > 0) {
        t.interrupt();
      }
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadlineNs - System.nanoTime())));
    }
    synchronized (merged) {
      return new Measurement(merged.copy(), ok.get(), failed.get(), unknown.get(), elapsedNs, timeLimitHit.get(), stuck,
          compileMs, gcMs);
    }
  }

  /**
   * Collection time of all collectors since JVM start. With G1 these are the young and the full
   * collections, both stop-the-world; concurrent marking is not included.
   */
  private static long gcPauseMs() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private void runThread(String phase, int threadIndex, long share, long deadlineNs, Histogram latencyUs,
                         AtomicLong ok, AtomicLong failed, AtomicLong unknown, AtomicBoolean timeLimitHit,
                         ErrorTally errors) {
    int entityCount = refs.size();
    for (long i = 0; i < share; i++) {
      if (System.nanoTime() - deadlineNs > 0) {
        timeLimitHit.set(true);
        return;
      }
      int k = (int) ((threadIndex + i * threads) % entityCount);
      long startNs = System.nanoTime();
      try {
        if (load == Scenario.Load.TRANSFERS) {
          EntityRef<Account.State, Account.Command> payee = accounts.get((k + 1) % entityCount);
          entities.call(accounts.get(k), new Account.Transfer(name + "-" + transferSeq.incrementAndGet(), payee.id(),
              TRANSFER_CENTS));
        } else if (load == Scenario.Load.APPENDS) {
          entities.call(logs.get(k), append);
        } else {
          entities.call(refs.get(k), INCREMENT);
        }
        latencyUs.recordValue(Math.min(LATENCY_US_MAX, (System.nanoTime() - startNs) / 1000));
        ok.incrementAndGet();
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        if (e instanceof OutcomeUnknownException) {
          unknown.incrementAndGet();
        }
        errors.record(phase, e);
      }
    }
  }

  /**
   * What the accounts hold, read linearizably, {@link #QUERY_WINDOW} queries at a time.
   *
   * @param totalCents the sum of all balances; {@code accounts × opening balance} once every credit has landed
   * @param debits transfers paid, over all accounts
   * @param credits credits received, over all accounts
   * @param negative accounts with a negative balance (must be 0)
   */
  record BankTotals(long accounts, long totalCents, long debits, long credits, long negative) {
    long expectedTotalCents() {
      return accounts * Account.OPENING_BALANCE_CENTS;
    }
  }

  BankTotals bankTotals() {
    long total = 0;
    long debits = 0;
    long credits = 0;
    long negative = 0;
    for (int from = 0; from < accounts.size(); from += QUERY_WINDOW) {
      List<CompletableFuture<EntityState<Account.State>>> window = new ArrayList<>();
      for (int i = from; i < Math.min(accounts.size(), from + QUERY_WINDOW); i++) {
        window.add(entities.queryAsync(accounts.get(i), ReadMode.LINEARIZABLE));
      }
      for (CompletableFuture<EntityState<Account.State>> f : window) {
        Account.State s = Futures.join(f).state();
        total += s.balanceCents();
        debits += s.debits();
        credits += s.credits();
        negative += s.balanceCents() < 0 ? 1 : 0;
      }
    }
    return new BankTotals(accounts.size(), total, debits, credits, negative);
  }

  /**
   * Events applied over all {@link BenchLog} entities, read linearizably, {@link #QUERY_WINDOW}
   * queries at a time: {@code eventsPerCall} times the successful calls (plus up to the unknown ones).
   */
  long sumOfLogEvents() {
    long sum = 0;
    for (int from = 0; from < logs.size(); from += QUERY_WINDOW) {
      List<CompletableFuture<EntityState<BenchLog.State>>> window = new ArrayList<>();
      for (int i = from; i < Math.min(logs.size(), from + QUERY_WINDOW); i++) {
        window.add(entities.queryAsync(logs.get(i), ReadMode.LINEARIZABLE));
      }
      for (CompletableFuture<EntityState<BenchLog.State>> f : window) {
        sum += Futures.join(f).state().events();
      }
    }
    return sum;
  }

  /**
   * The sum of all counters, read linearizably, {@link #QUERY_WINDOW} queries at a time. Every
   * call adds 1, so it must equal the successful calls (plus up to the unknown ones).
   */
  long sumOfCounters() {
    long sum = 0;
    for (int from = 0; from < refs.size(); from += QUERY_WINDOW) {
      List<CompletableFuture<EntityState<Counter.State>>> window = new ArrayList<>();
      for (int i = from; i < Math.min(refs.size(), from + QUERY_WINDOW); i++) {
        window.add(entities.queryAsync(refs.get(i), ReadMode.LINEARIZABLE));
      }
      for (CompletableFuture<EntityState<Counter.State>> f : window) {
        sum += Futures.join(f).state().count();
      }
    }
    return sum;
  }
}
