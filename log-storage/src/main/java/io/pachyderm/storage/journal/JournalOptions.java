package io.pachyderm.storage.journal;

import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How an {@link EventJournal} lays out and retains its files. Immutable; build with {@link
 * #builder()}. Defaults: {@link RollCycle#DAILY}, keep every cycle forever, the system clock, a
 * record size limit of 4 MiB.
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

  /** Retention value meaning "never delete a cycle file". */
  public static final int RETAIN_FOREVER = 0;

  private final RollCycle rollCycle;
  private final int retainedCyclesMax;
  private final LongSupplier clockMs;
  private final int recordBytesMax;

  private JournalOptions(Builder b) {
    this.rollCycle = b.rollCycle;
    this.retainedCyclesMax = b.retainedCyclesMax;
    this.clockMs = b.clockMs;
    this.recordBytesMax = b.recordBytesMax;
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

  /** Validates each setting when it is set. */
  public static final class Builder {
    private RollCycle rollCycle = RollCycle.DAILY;
    private int retainedCyclesMax = RETAIN_FOREVER;
    private LongSupplier clockMs = System::currentTimeMillis;
    private int recordBytesMax = 4 << 20;

    private Builder() {}

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
