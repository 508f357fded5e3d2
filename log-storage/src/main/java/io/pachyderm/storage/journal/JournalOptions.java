package io.pachyderm.storage.journal;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How an {@link EventJournal} lays out and retains its files. Immutable; build with {@link
 * #builder()}. Defaults: {@link RollCycle#DAILY}, keep every cycle forever, the system clock, a
 * record size limit of 4 MiB, the ref index in the heap ({@link IndexKind#HEAP}) with, for {@link
 * IndexKind#DISK}, a 4 MiB cache of hot refs.
 */
public final class JournalOptions {
  /** Chronicle Queue roll cycles offered by the journal: one file per cycle, named by UTC time. */
  public enum RollCycle {
    /** One file per five minutes: for tests and very high volume with short retention. */
    FIVE_MINUTELY,
    /** One file per hour. */
    HOURLY,
    /** One file per day (the default). */
    DAILY
    // No WEEKLY: Chronicle 5.27ea0's WEEKLY cycle wrote records that a tailer from the start did
    // not read back (EventJournalTest.syncCoversEveryCycleFileWrittenSinceTheLastSync found it).
  }

  /** Where the journal's per-ref index (ref -> excerpts of its records, for history) lives. */
  public enum IndexKind {
    /**
     * In the heap, saved whole to an index file by {@code saveIndex}: ~150 bytes per ref plus 8 per
     * record, and a save and an open that grow with the number of refs. For small journals, tests
     * and the simulation.
     */
    HEAP,
    /**
     * In RocksDB under {@code <journal>/ref-index}: the heap holds only a cache of hot refs
     * ({@link #refCacheBytesMax()}); {@code saveIndex} is a flush of the rows written since the
     * last one, and open re-indexes only the records after the index's last write. For nodes with
     * many entities (the node uses it with the disk state store).
     */
    DISK
  }

  /** Retention value meaning "never delete a cycle file". */
  public static final int RETAIN_FOREVER = 0;

  private final RollCycle rollCycle;
  private final int retainedCyclesMax;
  private final LongSupplier clockMs;
  private final int recordBytesMax;
  private final IndexKind indexKind;
  private final long refCacheBytesMax;

  private JournalOptions(Builder b) {
    this.rollCycle = b.rollCycle;
    this.retainedCyclesMax = b.retainedCyclesMax;
    this.clockMs = b.clockMs;
    this.recordBytesMax = b.recordBytesMax;
    this.indexKind = b.indexKind;
    this.refCacheBytesMax = b.refCacheBytesMax;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static JournalOptions defaults() {
    return builder().build();
  }

  public RollCycle rollCycle() {
    return rollCycle;
  }

  /** Cycle files kept, newest first; {@link #RETAIN_FOREVER} (0) keeps them all. */
  public int retainedCyclesMax() {
    return retainedCyclesMax;
  }

  /**
   * The local clock (epoch milliseconds) that decides which cycle file an append goes to. Not log
   * time: two nodes may cut their files at different records; the record stream is the same.
   */
  public LongSupplier clockMs() {
    return clockMs;
  }

  /** Largest encoded excerpt accepted by {@link EventJournal#append}. */
  public int recordBytesMax() {
    return recordBytesMax;
  }

  /** Where the per-ref index lives; default {@link IndexKind#HEAP}. */
  public IndexKind indexKind() {
    return indexKind;
  }

  /**
   * With {@link IndexKind#DISK}: the bound, in estimated heap bytes, of the cache of hot refs' last
   * version (what an append checks); default 4 MiB (~16,000 refs). Ignored by {@link IndexKind#HEAP}.
   */
  public long refCacheBytesMax() {
    return refCacheBytesMax;
  }

  /** These options with the ref index in {@code kind}. */
  public JournalOptions withIndexKind(IndexKind kind) {
    Builder b = builder().rollCycle(rollCycle).retainedCyclesMax(retainedCyclesMax).clockMs(clockMs)
        .recordBytesMax(recordBytesMax).refCacheBytesMax(refCacheBytesMax);
    return b.indexKind(kind).build();
  }

  /** Validates each setting when it is set. */
  public static final class Builder {
    private RollCycle rollCycle = RollCycle.DAILY;
    private int retainedCyclesMax = RETAIN_FOREVER;
    private LongSupplier clockMs = System::currentTimeMillis;
    private int recordBytesMax = 4 << 20;
    private IndexKind indexKind = IndexKind.HEAP;
    private long refCacheBytesMax = 4L << 20;

    private Builder() {}

    public Builder indexKind(IndexKind indexKind) {
      this.indexKind = Objects.requireNonNull(indexKind, "indexKind");
      return this;
    }

    public Builder refCacheBytesMax(long bytes) {
      if (bytes < 0 || bytes > (1L << 40)) {
        throw new IllegalArgumentException("refCacheBytesMax must be in [0, 1 TiB], got " + bytes);
      }
      this.refCacheBytesMax = bytes;
      return this;
    }

    public Builder rollCycle(RollCycle rollCycle) {
      this.rollCycle = Objects.requireNonNull(rollCycle, "rollCycle");
      return this;
    }

    public Builder retainedCyclesMax(int cycles) {
      if (cycles < 0) {
        throw new IllegalArgumentException("retainedCyclesMax must be >= 0 (0 = forever), got " + cycles);
      }
      this.retainedCyclesMax = cycles;
      return this;
    }

    public Builder clockMs(LongSupplier clockMs) {
      this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
      return this;
    }

    public Builder recordBytesMax(int bytes) {
      if (bytes < 64 || bytes > (64 << 20)) {
        throw new IllegalArgumentException("recordBytesMax must be in [64, 64 MiB], got " + bytes);
      }
      this.recordBytesMax = bytes;
      return this;
    }

    public JournalOptions build() {
      return new JournalOptions(this);
    }
  }
}
