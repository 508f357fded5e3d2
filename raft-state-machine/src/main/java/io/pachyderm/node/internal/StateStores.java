package io.pachyderm.node.internal;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.StateStore;
import io.pachyderm.statestore.RocksStateStore;
import java.io.IOException;
import java.nio.file.Path;

/** Creates and opens the state store a node's settings name. */
public final class StateStores {
  private StateStores() {}

  /** Where a DISK store lives in a node's data directory. */
  public static Path directory(Path dataDir) {
    return dataDir.resolve("state");
  }

  /**
   * The store {@code kind} names, not yet open: {@link #openAtStart} opens it. A DISK store caches
   * hot entities up to {@link RocksStateStore#defaultCacheBytesMax()} (an eighth of the heap).
   */
  public static StateStore create(StateStoreKind kind, Path dataDir, EntityTypes types) {
    return switch (kind) {
      case HEAP -> new HeapStateStore();
      case DISK -> RocksStateStore.unopened(directory(dataDir), types, RocksStateStore.defaultCacheBytesMax());
    };
  }

  /**
   * Opens {@code store} as the node starts (Ratis holds the data directory by then). A DISK store
   * opens empty: the node rebuilds it from its latest snapshot and the Raft log.
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
    }
  }

  /** Closes {@code store} when it holds resources (a DISK store's RocksDB); a HEAP store has none. */
  static void close(String nodeId, StateStore store) {
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
