package io.pachyderm.node.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds of a {@link StateStoreKind#DISK} node's cache of hot entities: decoded states in the
 * heap, so that a hot entity costs no disk read. An entity leaves the cache when the cache would
 * pass {@code bytesMax} (least recently used first) or when nobody read or wrote it for {@code
 * passivateAfter} (passivation), whichever comes first; its next read loads it from RocksDB (one
 * point lookup and a decode), with the same state and version. Which entities are cached never
 * changes what a call returns or what the replicas hold, so nodes of one cluster may differ here.
 * A {@link StateStoreKind#HEAP} node holds every entity in the heap and ignores these bounds.
 * Immutable; set with {@code PachydermNode.Builder#stateCacheBytesMax} and {@code #passivateAfter}.
 *
 * @param bytesMax estimated heap bytes of cached entities (encoded state, key, and about 160 bytes
 *     per entity): at least 0 (nothing cached) and at most the JVM's maximum heap. Default an eighth
 *     of the maximum heap ({@code -Xmx}).
 * @param passivateAfter how long a cached entity may go unused before it leaves the heap: at
 *     least 1 ms. Default {@link #PASSIVATE_AFTER_DEFAULT} (10 minutes). Idle entities are dropped by
 *     every read and write of the store and by a sweep every quarter of {@code passivateAfter}
 *     (at most a minute apart), so an idle entity leaves the heap within {@code passivateAfter} plus
 *     a quarter of it, or plus a minute, whichever is less.
 */
public record StateCache(long bytesMax, Duration passivateAfter) {
  public static final Duration PASSIVATE_AFTER_DEFAULT = Duration.ofMinutes(10);

  public StateCache {
    Objects.requireNonNull(passivateAfter, "passivateAfter");
    long heapBytesMax = Runtime.getRuntime().maxMemory();
    if (bytesMax < 0) {
      throw new IllegalArgumentException("stateCacheBytesMax must be >= 0 (0 caches nothing), was " + bytesMax);
    }
    if (bytesMax > heapBytesMax) {
      throw new IllegalArgumentException("stateCacheBytesMax (" + bytesMax + " B) must not exceed the JVM's maximum "
          + "heap (" + heapBytesMax + " B, -Xmx): the cache lives in the heap; default is an eighth of it");
    }
    if (passivateAfter.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("passivateAfter must be at least 1 ms, was " + passivateAfter);
    }
  }

  /** An eighth of the maximum heap, idle entities out after 10 minutes. */
  public static StateCache defaults() {
    return new StateCache(defaultBytesMax(), PASSIVATE_AFTER_DEFAULT);
  }

  /** An eighth of the heap this JVM may use ({@code -Xmx}). */
  public static long defaultBytesMax() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  public StateCache withBytesMax(long bytes) {
    return new StateCache(bytes, passivateAfter);
  }

  public StateCache withPassivateAfter(Duration idle) {
    return new StateCache(bytesMax, idle);
  }
}
