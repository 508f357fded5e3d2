package io.pachyderm.node.internal;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.StateCache;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.StateStore;
import io.pachyderm.statestore.CacheLimits;
import io.pachyderm.statestore.RocksStateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, opens and closes the state store a node's settings name, and sweeps a DISK store's
 * cache of idle entities while the store is open.
 *
 * <p>The sweep: every read and write of a DISK store already drops the idle entities, so the sweep
 * matters only for a quiet node, whose cache would otherwise stay full. One daemon thread serves
 * every node of the JVM (a sweep takes microseconds, and tests run many nodes in one JVM); it never
 * touches the apply path's results (see {@link StateCache}).
 */
public final class StateStores {
  private static final Logger LOG = LoggerFactory.getLogger(StateStores.class);
  /** The sweep runs at least this often, so a 10-minute idle time is kept within a minute. */
  private static final long SWEEP_INTERVAL_MS_MAX = 60_000;
  private static final long SWEEP_INTERVAL_MS_MIN = 10;
  private static final ScheduledExecutorService SWEEPER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pachyderm-passivation");
    t.setDaemon(true);
    return t;
  });
  /** The open DISK stores' sweeps, by store identity; only ever looked up, never iterated. */
  private static final Map<RocksStateStore, ScheduledFuture<?>> SWEEPS = new ConcurrentHashMap<>();

  private StateStores() {}

  /** Where a DISK store lives in a node's data directory. */
  public static Path directory(Path dataDir) {
    return dataDir.resolve("state");
  }

  /**
   * The store {@code kind} names, not yet open: {@link #openAtStart} opens it. A DISK store caches
   * hot entities within {@code cache}'s bounds; a HEAP store ignores them.
   */
  public static StateStore create(StateStoreKind kind, Path dataDir, EntityTypes types, StateCache cache) {
    return switch (kind) {
      case HEAP -> new HeapStateStore();
      case DISK -> RocksStateStore.unopened(directory(dataDir), types,
          new CacheLimits(cache.bytesMax(), cache.passivateAfter().toMillis()));
    };
  }

  /**
   * Opens {@code store} as the node starts (Ratis holds the data directory by then), and starts
   * sweeping its cache. A DISK store opens empty: the node rebuilds it from its latest snapshot and
   * the Raft log.
   *
   * @throws IOException naming the node and the directory when the disk store cannot be opened
   */
  static void openAtStart(String nodeId, StateStore store) throws IOException {
    if (store instanceof RocksStateStore disk) {
      try {
        disk.openEmpty();
      } catch (IOException e) {
        throw new IOException("node " + nodeId + ": " + e.getMessage(), e);
      }
      long intervalMs = sweepIntervalMs(disk.cachePassivateAfterMs());
      SWEEPS.put(disk, SWEEPER.scheduleWithFixedDelay(() -> sweep(nodeId, disk), intervalMs, intervalMs,
          TimeUnit.MILLISECONDS));
    }
  }

  /** A quarter of the idle time, within [10 ms, 1 min]: an idle entity leaves at most that late. */
  static long sweepIntervalMs(long passivateAfterMs) {
    return Math.max(SWEEP_INTERVAL_MS_MIN, Math.min(SWEEP_INTERVAL_MS_MAX, passivateAfterMs / 4));
  }

  private static void sweep(String nodeId, RocksStateStore disk) {
    try {
      disk.passivateIdle();
    } catch (RuntimeException e) {
      // Only the heap's use is at stake, never a state: say so and keep sweeping.
      LOG.warn("node {}: sweeping idle entities out of the state cache failed: {}", nodeId, e.toString());
    }
  }

  /** Closes {@code store} when it holds resources (a DISK store's RocksDB and sweep); a HEAP store has none. */
  static void close(String nodeId, StateStore store) {
    if (store instanceof RocksStateStore disk) {
      ScheduledFuture<?> sweep = SWEEPS.remove(disk);
      if (sweep != null) {
        sweep.cancel(false);
      }
    }
    if (store instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException(nodeId + ": could not close the state store: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Closes {@code store} after a start failed with {@code cause}: Ratis never closes a state
   * machine whose start failed, and an open DISK store keeps RocksDB's lock, so this process could
   * not start the node again once the cause (a damaged checkpoint) is fixed. A failure to close
   * is added to {@code cause}.
   */
  static void closeAfterFailedStart(String nodeId, StateStore store, Exception cause) {
    try {
      close(nodeId, store);
    } catch (RuntimeException closeFailure) {
      cause.addSuppressed(closeFailure);
    }
  }
}
