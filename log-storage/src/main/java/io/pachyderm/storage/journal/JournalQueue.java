package io.pachyderm.storage.journal;

import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalRecord;
import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Chronicle Queue under the journal and what every part of the journal needs to read it: the
 * queue itself, its cycle files' names, the decoding of one excerpt with its check ({@link
 * RecordFrame}), and the messages that name a bad excerpt by file and number.
 *
 * <p>Threads: every method from any thread. {@link #cycleFiles} is filled by Chronicle's listener
 * on whichever thread acquires a file, hence concurrent. {@link #legacyRecordsAllowed} is
 * volatile, set once by {@link #probeFormat()} on open's thread before the journal is handed out.
 * Decoding writes only into the caller's {@link ReadBuffer}, one per reading thread.
 */
final class JournalQueue implements AutoCloseable {
  /** Chronicle index spacing (excerpts per index entry) of new cycle files; a power of two. */
  static final int INDEX_SPACING = 16;

  // The journal's classes log under one name, EventJournal's, so that log configurations and
  // greps written for the single class keep matching.
  private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);

  private final Path dir;
  private final JournalOptions options;
  private final SingleChronicleQueue queue;
  private final Map<Integer, File> cycleFiles = new ConcurrentHashMap<>();
  /**
   * Whether excerpts without a checksum are read (unchecked): true when the journal's first excerpt
   * was written before checksums (format 1), so that a journal written by an older version still
   * opens. Otherwise an excerpt without one is damage (its checksum tag byte changed).
   */
  private volatile boolean legacyRecordsAllowed;

  JournalQueue(Path dir, JournalOptions options) {
    this.dir = dir;
    this.options = options;
    StoreFileListener listener = new StoreFileListener() {
      @Override
      public void onAcquired(int cycle, File file) {
        cycleFiles.put(cycle, file);
      }

      @Override
      public void onReleased(int cycle, File file) {}
    };
    this.queue = SingleChronicleQueueBuilder.binary(dir)
        .rollCycle(chronicleCycle(options.rollCycle()))
        // Random access (history) scans on average half the spacing from the nearest index entry;
        // Chronicle's default of 256 made history ~4x slower. Costs 8 bytes of index per 16 excerpts.
        .indexSpacing(INDEX_SPACING)
        .timeProvider(() -> options.clockMs().getAsLong())
        .storeFileListener(listener)
        .build();
  }

  Path dir() {
    return dir;
  }

  RollCycle rollCycle() {
    return queue.rollCycle();
  }

  /** The current cycle by the journal's clock. */
  int cycle() {
    return queue.cycle();
  }

  /** The first excerpt of the oldest cycle file present. */
  long firstIndex() {
    return queue.firstIndex();
  }

  void refreshDirectoryListing() {
    queue.refreshDirectoryListing();
  }

  ExcerptTailer createTailer() {
    return queue.createTailer();
  }

  ExcerptAppender createAppender() {
    return queue.createAppender();
  }

  /** One excerpt read: its Chronicle index and its decoded entry. */
  record Read(long excerpt, JournalEntry entry) {}

  /** A reusable byte array for decoding, one per reading thread. */
  static final class ReadBuffer {
    byte[] bytes = new byte[256];
  }

  /**
   * Decides whether excerpts without a checksum are read: only when the journal's first excerpt has
   * none, i.e. the journal was begun by a version before checksums (format 1). Its old records
   * stay readable (unchecked); every record appended now is checked. Open's thread, first.
   */
  void probeFormat() {
    ReadBuffer buffer = new ReadBuffer();
    try (ExcerptTailer tailer = queue.createTailer(); DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return;
      }
      RecordFrame.Decoded first = decodeAnyFormat(dc, buffer);
      legacyRecordsAllowed = first instanceof RecordFrame.Valid valid && !valid.checked();
    }
    if (legacyRecordsAllowed) {
      LOG.warn("journal {} begins with records written without checksums (before journal format 2): those are read"
          + " unchecked; every record appended from now on carries a CRC32C", dir);
    }
  }

  /**
   * Decodes the excerpt {@code dc} is on (the bytes are checked, never trusted). An excerpt without
   * checksum is accepted only in a journal that began before checksums ({@link #probeFormat()}).
   */
  RecordFrame.Decoded decode(DocumentContext dc, ReadBuffer buffer) {
    RecordFrame.Decoded decoded = decodeAnyFormat(dc, buffer);
    if (decoded instanceof RecordFrame.Valid valid && !valid.checked() && !legacyRecordsAllowed) {
      return new RecordFrame.Bad("has no checksum, but this journal has checked records from its first one on"
          + " (a damaged checksum tag?)", valid.entry());
    }
    return decoded;
  }

  /** Decodes the excerpt {@code dc} is on, with or without checksum. */
  private RecordFrame.Decoded decodeAnyFormat(DocumentContext dc, ReadBuffer buffer) {
    Bytes<?> bytes = dc.wire().bytes();
    long remaining = bytes.readRemaining();
    if (remaining > options.recordBytesMax()) {
      return new RecordFrame.Bad("is " + remaining + " bytes, over recordBytesMax " + options.recordBytesMax(), null);
    }
    int length = (int) remaining;
    if (buffer.bytes.length < length) {
      buffer.bytes = new byte[Math.max(length, buffer.bytes.length * 2)];
    }
    byte[] array = buffer.bytes;
    bytes.read(array, 0, length);
    return RecordFrame.decode(array, length);
  }

  /** Whether {@code entry} is the truncation marker that cut {@code excerpt} as a torn tail. */
  static boolean cuts(JournalEntry entry, long excerpt) {
    return entry.hasTruncation() && entry.getTruncation().getTornExcerpt() == excerpt;
  }

  /** CRC32 of the excerpt's bytes as stored: what an index file records to recognise its queue. */
  static long excerptCrc(DocumentContext dc) {
    Bytes<?> bytes = dc.wire().bytes();
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    return crc.getValue();
  }

  /**
   * The error for a bad excerpt: "journal FILE: record at index 0x.. (number N in that file; what
   * the index expects there, or what the bytes claim) PROBLEM".
   */
  JournalCorruptException badExcerpt(long excerpt, RecordFrame.Bad bad, String expected) {
    long number = queue.rollCycle().toSequenceNumber(excerpt);
    String what = expected != null ? expected + " by the index"
        : bad.claims() != null ? "claims to be " + describe(bad.claims()) : "unreadable";
    return new JournalCorruptException("journal " + cycleFile(excerpt) + ": record at index 0x" + Long.toHexString(excerpt)
        + " (number " + number + " in that file; " + what + ") " + bad.problem());
  }

  JournalCorruptException corrupt(long excerpt, String problem) {
    int cycle = queue.rollCycle().toCycle(excerpt);
    return new JournalCorruptException("journal " + cycleFile(excerpt) + " (cycle " + cycle + "), excerpt 0x"
        + Long.toHexString(excerpt) + ": " + problem);
  }

  /** The cycle file holding {@code excerpt}. */
  private String cycleFile(long excerpt) {
    int cycle = queue.rollCycle().toCycle(excerpt);
    File file = cycleFiles.get(cycle);
    return file != null ? file.toString() : dir.resolve(cycleFileName(cycle)).toString();
  }

  /**
   * Chronicle's name for a cycle file: the cycle's UTC start in the roll cycle's format (epoch 0
   * for every cycle we offer); only a fallback when Chronicle did not say.
   */
  String cycleFileName(int cycle) {
    RollCycle rollCycle = queue.rollCycle();
    Instant start = Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis());
    return DateTimeFormatter.ofPattern(rollCycle.format(), Locale.ROOT).withZone(ZoneOffset.UTC).format(start) + ".cq4";
  }

  static String describe(JournalEntry entry) {
    if (entry.hasTruncation()) {
      return "truncation after " + entry.getTruncation().getAfterLogIndex();
    }
    if (entry.hasGap()) {
      return "gap to " + entry.getGap().getToLogIndex();
    }
    JournalRecord r = entry.getRecord();
    return r.getRef().getType() + "/" + r.getRef().getId() + " v" + r.getVersion() + " at " + r.getLogIndex();
  }

  @Override
  public void close() {
    queue.close();
  }

  private static RollCycle chronicleCycle(JournalOptions.RollCycle cycle) {
    switch (cycle) {
      case FIVE_MINUTELY:
        return RollCycles.FIVE_MINUTELY;
      case HOURLY:
        return RollCycles.FAST_HOURLY;
      case DAILY:
        return RollCycles.FAST_DAILY;
      default:
        throw new IllegalArgumentException("unknown roll cycle " + cycle);
    }
  }
}
