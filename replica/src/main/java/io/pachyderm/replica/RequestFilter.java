package io.pachyderm.replica;

import io.pachyderm.protocol.Protos.RequestKey;
import java.util.Arrays;

/**
 * Says "not held" for most request ids the {@link DiskDedupTable} does not hold, from the heap, so
 * that the apply thread's look-up of a new request (nearly every command) costs no RocksDB read:
 * a miss there walks the memtables and every table file's filter, ~9% of the apply thread in a
 * profile of the local load row. "Maybe held" sends the look-up to the store, which answers.
 *
 * <p>Blocked bloom filters (one 512-bit block per key: one cache line), one per generation of
 * {@link #GENERATION_SEQS} consecutive sequence numbers. The table forgets its entries oldest
 * first, by sequence number, so a generation is dropped whole once the table's head has passed it:
 * the filters never need a key removed, and never say "not held" for a key the table still holds.
 * About 16 bits per held entry (~512 KB at the default 200,000 entries, four generations), and
 * ~0.4% of misses go to the store anyway (false positives).
 *
 * <p>Only speed depends on it: the table's answers are the store's. Written by the apply thread;
 * {@link #mayContain} from any thread, where it is a hint: the leader's look-up of a request before
 * deciding it reads it too (a RocksDB miss per new command there was ~20% of the local row's
 * deciding threads), and may miss a key the apply thread is adding at that moment, which is safe
 * because the apply thread looks every command up again ({@link Dedup#getApplying}) and answers a
 * known one from the table.
 */
final class RequestFilter {
  /** Sequence numbers per generation (and per filter). */
  static final int GENERATION_SEQS = 1 << 16;
  private static final int BLOCK_LONGS = 8;
  private static final int BITS_PER_KEY_SET = 6;
  /**
   * 16 bits per key: with the default table (200,000 ids, four generations, each asked in turn)
   * 0.4% of new ids are sent to the store, against 2.9% at 10 bits, measured; each of those is a
   * RocksDB miss that walks every table file's filter, on the apply thread and the leader's.
   */
  private static final int BITS_PER_KEY = 16;

  private final int generationSeqs;
  /** {@link #BITS_PER_KEY}: at 65,536 keys a generation, 2,048 blocks of 512 bits (128 KB). */
  private final int blocks;

  private static final long[][] NONE = new long[0][];

  /**
   * Filters of generations {@link #firstGeneration} on, oldest first. Replaced, never changed in
   * place (a generation is added or dropped once per {@link #generationSeqs} sequence numbers), so a
   * reader on another thread walks a consistent list; only the newest filter's bits change under it.
   */
  private volatile long[][] generations = NONE;
  /** Apply thread. */
  private long firstGeneration;

  RequestFilter() {
    this(GENERATION_SEQS);
  }

  /** @param generationSeqs sequence numbers per generation (tests drop generations after a few) */
  RequestFilter(int generationSeqs) {
    if (generationSeqs < 1) {
      throw new IllegalArgumentException("a filter generation must hold >= 1 sequence number: " + generationSeqs);
    }
    this.generationSeqs = generationSeqs;
    this.blocks = Math.max(1, (int) ((long) generationSeqs * BITS_PER_KEY / (BLOCK_LONGS * 64)));
  }

  /** Notes that the table holds {@code key} at {@code seq}; sequence numbers never go down between clears. */
  void add(long seq, RequestKey key) {
    long generation = seq / generationSeqs;
    long[][] gens = generations;
    if (gens.length == 0) {
      firstGeneration = generation;
    }
    if (generation < firstGeneration) {
      throw new IllegalArgumentException("sequence " + seq + " is before the filter's first generation "
          + firstGeneration + " (sequence numbers only grow)");
    }
    if (firstGeneration + gens.length <= generation) {
      int count = Math.toIntExact(generation - firstGeneration + 1);
      long[][] grown = Arrays.copyOf(gens, count);
      for (int i = gens.length; i < count; i++) {
        grown[i] = new long[blocks * BLOCK_LONGS];
      }
      generations = gens = grown;
    }
    long[] bits = gens[gens.length - 1];
    long h1 = hash(key);
    long h2 = mix(h1 ^ 0x9E3779B97F4A7C15L);
    int block = block(h1);
    for (int i = 0; i < BITS_PER_KEY_SET; i++) {
      int bit = (int) (h2 >>> (9 * i)) & 511;
      bits[block + (bit >>> 6)] |= 1L << bit;
    }
  }

  /**
   * False only if {@link #add} never noted {@code key} in a generation still kept (on another thread
   * than the apply thread: or is noting it at this moment).
   */
  boolean mayContain(RequestKey key) {
    long[][] gens = generations;
    if (gens.length == 0) {
      return false;
    }
    long h1 = hash(key);
    long h2 = mix(h1 ^ 0x9E3779B97F4A7C15L);
    int block = block(h1);
    for (int g = gens.length - 1; g >= 0; g--) { // newest first: retries are usually recent
      long[] bits = gens[g];
      boolean all = true;
      for (int i = 0; i < BITS_PER_KEY_SET && all; i++) {
        int bit = (int) (h2 >>> (9 * i)) & 511;
        all = (bits[block + (bit >>> 6)] & (1L << bit)) != 0;
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  /** Drops the generations wholly before {@code headSeq}: the table no longer holds any of their keys. */
  void dropBefore(long headSeq) {
    long[][] gens = generations;
    long drop = Math.min(gens.length, Math.max(0, headSeq / generationSeqs - firstGeneration));
    if (drop > 0) {
      generations = Arrays.copyOfRange(gens, (int) drop, gens.length);
      firstGeneration += drop;
    }
  }

  void clear() {
    generations = NONE;
    firstGeneration = 0;
  }

  /** Generations kept: one filter of 128 KB each. */
  int generations() {
    return generations.length;
  }

  private int block(long h1) {
    return (int) Long.remainderUnsigned(h1, blocks) * BLOCK_LONGS;
  }

  private static long hash(RequestKey key) {
    return mix(key.clientHi() ^ mix(key.clientLo() ^ mix(key.sequence())));
  }

  /** MurmurHash3's 64-bit finalizer: every input bit moves every output bit. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
