package io.pachyderm.statestore;

import java.time.Duration;

/**
 * The bounds of a disk store's cache of hot entities ({@code stateCacheBytesMax}, {@code
 * passivateAfter}): an entity leaves the cache when the cache would hold more than {@code bytesMax}
 * estimated heap bytes (least recently used first), or when nobody has read or written it for
 * {@code passivateAfterMs}, whichever comes first. Leaving the cache changes nothing a caller sees:
 * the next read loads the entity from RocksDB (one point lookup and a decode). The cache is not
 * replicated state, so its bounds may differ between the nodes of one cluster. Immutable.
 *
 * @param bytesMax the cache's bound in estimated heap bytes (encoded state, key and a fixed overhead
 *     per entity); 0 caches nothing
 * @param passivateAfterMs how long an entity may stay cached without being read or written, in
 *     milliseconds of local (monotonic) time; at least 1
 */
public record CacheLimits(long bytesMax, long passivateAfterMs) {
  /**
   * 10 minutes: an entity used less often than that costs one disk read per use, which is small next
   * to the heap it would hold all the while.
   */
  public static final long PASSIVATE_AFTER_MS_DEFAULT = Duration.ofMinutes(10).toMillis();

  public CacheLimits {
    if (bytesMax < 0) {
      throw new IllegalArgumentException("stateCacheBytesMax must be >= 0 (0 caches nothing), was " + bytesMax);
    }
    if (passivateAfterMs < 1) {
      throw new IllegalArgumentException("passivateAfter must be at least 1 ms, was " + passivateAfterMs + " ms");
    }
  }

  /** The default cache bound: an eighth of the heap this JVM may use ({@code -Xmx}). */
  public static long defaultBytesMax() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  /** An eighth of the heap, idle entities out after {@link #PASSIVATE_AFTER_MS_DEFAULT}. */
  public static CacheLimits defaults() {
    return new CacheLimits(defaultBytesMax(), PASSIVATE_AFTER_MS_DEFAULT);
  }

  /** {@code bytesMax} bytes, idle entities out after the default time. */
  public static CacheLimits ofBytes(long bytesMax) {
    return new CacheLimits(bytesMax, PASSIVATE_AFTER_MS_DEFAULT);
  }
}
