package io.pachyderm.chaos.workload;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.OverloadedException;
import io.pachyderm.api.StorageFullException;
import io.pachyderm.chaos.history.HistoryRecorder;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpType;
import io.pachyderm.api.NotSentException;
import io.pachyderm.client.PachydermClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a workload's client processes against a cluster and records every operation. Each process
 * is a thread with one operation outstanding at a time; together they aim at
 * {@link Settings#opsPerSecond}. The run ends at {@link Settings#opsMax} operations or after
 * {@link Settings#duration}, whichever comes first, or on {@link #stop()}.
 *
 * <p>Outcomes, recorded as Jepsen does:
 *
 * <ul>
 *   <li>OK — the client got an answer.
 *   <li>FAIL — the command was rejected ({@link CommandRejectedException}: nothing was written),
 *       certainly never reached a node ({@link NotSentException}), was refused below a node's
 *       free-space reserve before it reached the log ({@link StorageFullException}), or was refused by a full queue
 *       before it was proposed ({@link OverloadedException}); recording these as failures makes
 *       the checkers hold the client to those claims. Or a read failed (a read never takes effect, so a failed read is simply a failure).
 *   <li>INFO — a write whose outcome is unknown: timeout, lost connection, any other error. The
 *       process then continues under a new number ({@code process + concurrency}), because the
 *       old operation may still take effect later.
 * </ul>
 *
 * <p>Thread-safe; {@link #run()} is called once.
 */
public final class WorkloadDriver {
  /**
   * @param concurrency client processes (threads)
   * @param opsMax operations invoked at most, over all processes
   * @param duration how long processes keep invoking operations
   * @param opsPerSecond target rate over all processes (each process sleeps between operations)
   * @param opTimeout the client's request timeout; the harness waits a little longer before it
   *     records an operation as unknown on its own
   * @param seed seeds the generator's choices (keys, functions), one stream per process
   */
  public record Settings(int concurrency, long opsMax, Duration duration, double opsPerSecond, Duration opTimeout,
                         long seed) {
    public Settings {
      if (concurrency < 1 || opsMax < 1 || opsPerSecond <= 0) {
        throw new IllegalArgumentException("concurrency, opsMax and opsPerSecond must be positive");
      }
    }
  }

  /** Grace beyond the client's own timeout before the harness gives up on a future. */
  private static final Duration HARNESS_GRACE = Duration.ofSeconds(5);

  private final Workload workload;
  private final ClientSource clients;
  private final HistoryRecorder recorder;
  private final Settings settings;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicLong invoked = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final List<Throwable> crashes = new ArrayList<>();

  public WorkloadDriver(Workload workload, ClientSource clients, HistoryRecorder recorder, Settings settings) {
    this.workload = workload;
    this.clients = clients;
    this.recorder = recorder;
    this.settings = settings;
  }

  /** Runs every process to the end; returns when all have finished. */
  public void run() throws InterruptedException {
    long deadlineNs = System.nanoTime() + settings.duration().toNanos();
    SplittableRandom root = new SplittableRandom(settings.seed());
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < settings.concurrency(); p++) {
      SplittableRandom random = root.split();
      int first = p;
      Thread t = new Thread(() -> runProcess(first, random, deadlineNs), "chaos-client-" + p);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    synchronized (crashes) {
      if (!crashes.isEmpty()) {
        IllegalStateException e = new IllegalStateException("a client process crashed: " + crashes.get(0), crashes.get(0));
        crashes.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
    }
  }

  /** Makes every process finish its current operation and stop. */
  public void stop() {
    stopping.set(true);
  }

  public long invoked() {
    return invoked.get();
  }

  public long ok() {
    return ok.get();
  }

  public long failed() {
    return failed.get();
  }

  public long unknown() {
    return unknown.get();
  }

  private void runProcess(int firstProcess, SplittableRandom random, long deadlineNs) {
    int process = firstProcess;
    double meanPauseMs = 1000.0 * settings.concurrency() / settings.opsPerSecond();
    try {
      while (!stopping.get() && System.nanoTime() < deadlineNs) {
        if (invoked.incrementAndGet() > settings.opsMax()) {
          invoked.decrementAndGet();
          return;
        }
        boolean sure = perform(process, workload.next(random));
        if (!sure) {
          process += settings.concurrency();
        }
        long pauseMs = (long) (random.nextDouble() * 2 * meanPauseMs);
        if (pauseMs > 0) {
          Thread.sleep(Math.min(pauseMs, Math.max(0, (deadlineNs - System.nanoTime()) / 1_000_000)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      synchronized (crashes) {
        crashes.add(e);
      }
    }
  }

  /** Invokes one operation and records its outcome; false when the outcome is unknown. */
  private boolean perform(int process, OpSpec spec) throws InterruptedException {
    Op invocation = recorder.invoke(process, spec.f(), spec.key(), spec.value());
    boolean read = invocation.isRead();
    PachydermClient client = clients.current();
    CompletableFuture<Object> future;
    try {
      future = workload.invoke(client, spec);
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    try {
      Object value = future.get(settings.opTimeout().plus(HARNESS_GRACE).toMillis(), TimeUnit.MILLISECONDS);
      recorder.complete(invocation, OpType.OK, value, null);
      ok.incrementAndGet();
      return true;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      clients.failed(client, cause);
      if (cause instanceof CommandRejectedException || cause instanceof NotSentException
          || cause instanceof OverloadedException || cause instanceof StorageFullException || read) {
        recorder.complete(invocation, OpType.FAIL, null, describe(cause));
        failed.incrementAndGet();
        return true;
      }
      recorder.complete(invocation, OpType.INFO, null, describe(cause));
      unknown.incrementAndGet();
      return false;
    } catch (TimeoutException e) {
      future.cancel(false);
      String why = "no answer within " + settings.opTimeout().plus(HARNESS_GRACE) + " (harness timeout)";
      if (read) {
        recorder.complete(invocation, OpType.FAIL, null, why);
        failed.incrementAndGet();
        return true;
      }
      recorder.complete(invocation, OpType.INFO, null, why);
      unknown.incrementAndGet();
      return false;
    }
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    String text = t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    // Keep history lines short: Ratis messages can carry whole request dumps.
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }
}
