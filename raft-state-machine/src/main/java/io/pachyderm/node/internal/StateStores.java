package io.pachyderm.node.internal;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.StateStoreKind;
import io.pachyderm.replica.HeapStateStore;
import io.pachyderm.replica.StateStore;
import io.pachyderm.statestore.RocksStateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Opens the state store a node's settings name. */
public final class StateStores {
  private StateStores() {}

  /** Where a DISK store lives in a node's data directory. */
  public static Path directory(Path dataDir) {
    return dataDir.resolve("state");
  }

  /**
   * A DISK store caches hot entities up to {@link RocksStateStore#defaultCacheBytesMax()} (an eighth
   * of the heap).
   *
   * @throws UncheckedIOException naming the directory when the disk store cannot be opened
   */
  public static StateStore open(String nodeId, StateStoreKind kind, Path dataDir, EntityTypes types) {
    return switch (kind) {
      case HEAP -> new HeapStateStore();
      case DISK -> {
        try {
          yield RocksStateStore.open(directory(dataDir), types, RocksStateStore.defaultCacheBytesMax());
        } catch (IOException e) {
          throw new UncheckedIOException("node " + nodeId + ": " + e.getMessage(), e);
        }
      }
    };
  }
}
