package io.pachyderm.storage.journal;

import com.google.protobuf.CodedOutputStream;
import io.pachyderm.protocol.JournalEntry;
import io.pachyderm.protocol.JournalGap;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.JournalTruncation;
import io.pachyderm.storage.Fsync;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal's writes: {@link #append} (order checks through {@link JournalIndex#admit}, the
 * checked encoding, the write, the index update), the truncation and gap markers, and the fsync
 * bookkeeping of {@link #sync()} (which cycle files were written since the last sync). A failed
 * write rolls its excerpt back and stops every later write: the mapped file's state is unknown.
 *
 * <p>Threads: {@link #append}, {@link #truncateAfter}, {@link #markGap}, {@link #writeMarker},
 * {@link #sync()} and {@link #close()} from one thread at a time (the apply thread; open's thread
 * before the journal is handed out): {@link #appendBuffer} and {@link #lastWrittenCycle} are that
 * thread's. {@link #deleteCycleFile} from any thread (retention), and {@link #appenderCycle()},
 * {@link #bytesAppended()} and {@link #writingFileDescription()} too. {@link #unsynced} is
 * concurrent; {@link #syncLock} makes "force every unsynced file" and "forget and delete one"
 * exclude each other, so a file is either forced or deleted, never found missing by sync.
 * {@link #bytesAppended} and {@link #writeFailure} are volatile, written by the appending thread.
 */
final class JournalWriter {
  private final JournalQueue queue;
  private final JournalIndex index;
  private final JournalOptions options;
  private final ExcerptAppender appender;
  /** Cycle files this process has written to since the last sync (cycle -> file). */
  private final Map<Integer, File> unsynced = new ConcurrentHashMap<>();
  private final Object syncLock = new Object();
  /** The cycle of the last write, known to be in {@link #unsynced} until the next sync; appending thread only. */
  private int lastWrittenCycle = Integer.MIN_VALUE;
  /** Encoding buffer of {@link #append}; appending thread only. */
  private byte[] appendBuffer = new byte[512];
  /** Encoded bytes of the records {@link #append} wrote since open; one writer, read by metrics. */
  private volatile long bytesAppended;
  /** The first failed write; afterwards no write is tried (the mapped file's state is unknown). */
  private volatile Throwable writeFailure;

  JournalWriter(JournalQueue queue, JournalIndex index, JournalOptions options) {
    this.queue = queue;
    this.index = index;
    this.options = options;
    this.appender = queue.createAppender();
    // The apply thread that appends is not the thread that opens the journal.
    appender.singleThreadedCheckDisabled(true);
  }

  long bytesAppended() {
    return bytesAppended;
  }

  /** See {@link EventJournal#append}. */
  boolean append(JournalRecord record) {
    return append(record, false);
  }

  /**
   * See {@link EventJournal#append}; {@code deferIndexCommit}: the index commits the record with
   * the next commit ({@link JournalIndex#addDeferred}), see {@link EventJournal#appendEntry}.
   */
  boolean append(JournalRecord record, boolean deferIndexCommit) {
    RecordOrder.checkComplete(record);
    if (!index.admit(record)) {
      return false;
    }
    int length = encodeEntry(record);
    if (length > options.recordBytesMax()) {
      throw new IllegalArgumentException("journal record of " + record.getRef() + " v" + record.getVersion()
          + " is " + length + " bytes, over recordBytesMax " + options.recordBytesMax());
    }
    Supplier<String> what = () -> "the record of " + record.getRef().getType() + "/" + record.getRef().getId()
        + " version " + record.getVersion() + " at log index " + record.getLogIndex();
    try {
      long excerpt = write(appendBuffer, length, what);
      if (deferIndexCommit) {
        index.addDeferred(excerpt, record);
      } else {
        index.add(excerpt, record);
      }
    } catch (InternalError e) {
      // A fault in a mapped write from compiled code is thrown late, at the thread's next VM
      // transition: here, after write() returned, or on the next append. The excerpt it hit was
      // marked complete over bytes never written; open finds it by its checksum and cuts it.
      writeFailure = e;
      throw new JournalWriteException("journal " + writingFileDescription() + ": a memory-mapped write faulted ("
          + e + ") while appending " + what.get() + " or the excerpt before it (such a fault is reported late); "
          + freeSpace() + "; this journal takes no more writes: stop the node, free space or fix the disk, and"
          + " restart it (open cuts the torn excerpt, replay refills it)", e);
    }
    bytesAppended += length; // not atomic, and needs not be: append runs on one thread at a time
    return true;
  }

  /** See {@link EventJournal#truncateAfter}. */
  boolean truncateAfter(long logIndex) {
    if (logIndex < 0) {
      throw new IllegalArgumentException("logIndex must be >= 0, got " + logIndex);
    }
    if (!index.holdsAfter(logIndex)) {
      return false;
    }
    JournalTruncation marker = JournalTruncation.newBuilder()
        .setAfterLogIndex(logIndex).setTimestampMs(options.clockMs().getAsLong()).build();
    long excerpt = writeMarker(JournalEntry.newBuilder().setTruncation(marker).build(),
        () -> "a truncation marker after log index " + logIndex);
    index.applyTruncation(excerpt, logIndex, 0);
    return true;
  }

  /** See {@link EventJournal#markGap}. */
  boolean markGap(long toLogIndex) {
    Position last = index.last();
    long afterLogIndex = last.completeIndex();
    if (afterLogIndex >= toLogIndex) {
      return false;
    }
    if (last.logIndex() > afterLogIndex) {
      // A new entry never follows an incomplete one: the entry is inside the snapshot now.
      truncateAfter(afterLogIndex);
    }
    JournalGap gap = JournalGap.newBuilder().setAfterLogIndex(afterLogIndex).setToLogIndex(toLogIndex)
        .setTimestampMs(options.clockMs().getAsLong()).build();
    long excerpt = writeMarker(JournalEntry.newBuilder().setGap(gap).build(),
        () -> "a gap marker up to log index " + toLogIndex);
    index.applyGap(excerpt, toLogIndex);
    return true;
  }

  /** Writes a marker (truncation or gap) as a checked excerpt; the caller applies it to the index. */
  long writeMarker(JournalEntry marker, Supplier<String> what) {
    byte[] bytes = RecordFrame.checkedExcerpt(marker);
    return write(bytes, bytes.length, what);
  }

  /** See {@link EventJournal#sync()}. */
  void sync() {
    // Same thread as append (see class comment): nothing is added to unsynced while we force.
    // Retention deletes files and forgets them here under the same lock, so a file is either
    // forced or deleted by retention, never found missing.
    synchronized (syncLock) {
      for (Map.Entry<Integer, File> e : new ArrayList<>(unsynced.entrySet())) {
        if (!e.getValue().exists()) {
          // Never skip silently on the durability path: our idea of Chronicle's file name is wrong.
          throw new IllegalStateException("journal: cycle " + e.getKey() + " was written but its file "
              + e.getValue() + " does not exist; cannot sync");
        }
        force(e.getValue().toPath());
        unsynced.remove(e.getKey());
        lastWrittenCycle = Integer.MIN_VALUE; // the next write registers its cycle as unsynced again
      }
    }
    Path metadata = queue.dir().resolve("metadata.cq4t");
    if (Files.exists(metadata)) {
      force(metadata);
    }
    forceDirectory(queue.dir());
  }

  /**
   * Deletes the cycle file {@code file} for retention and forgets its pending sync: what the file
   * holds is dropped, so nothing of it is left to sync. Never called for the file the writer
   * appends to, so an append cannot register it again.
   *
   * @return whether the file was deleted (false: already gone)
   */
  boolean deleteCycleFile(Path file) throws IOException {
    String name = file.getFileName().toString();
    synchronized (syncLock) {
      unsynced.entrySet().removeIf(e -> e.getValue().getName().equals(name));
      return Files.deleteIfExists(file);
    }
  }

  /** The cycle the appender last wrote in (Chronicle's view). */
  int appenderCycle() {
    return appender.cycle();
  }

  /** The file the writer appends to, for messages. */
  String writingFileDescription() {
    try {
      File file = appender.currentFile();
      return (file != null ? file.toPath() : queue.dir().resolve(queue.cycleFileName(queue.cycle()))).toString();
    } catch (RuntimeException e) {
      return queue.dir().toString();
    }
  }

  void close() {
    appender.close();
  }

  /**
   * Encodes the checked excerpt of {@code JournalEntry{record}} into {@link #appendBuffer} and
   * returns its length: the 5-byte checksum field ({@link RecordFrame}), then byte for byte what
   * {@code JournalEntry.newBuilder().setRecord(record).build().toByteArray()} gives (field 1,
   * length-delimited), without building the wrapper message or a new array per record: this is the
   * apply path, once per event.
   */
  private int encodeEntry(JournalRecord record) {
    int size = record.getSerializedSize();
    int entryBytes = 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    int length = RecordFrame.HEADER_BYTES + entryBytes;
    if (appendBuffer.length < length) {
      appendBuffer = new byte[Math.max(length, appendBuffer.length * 2)];
    }
    CodedOutputStream out = CodedOutputStream.newInstance(appendBuffer, RecordFrame.HEADER_BYTES, entryBytes);
    try {
      out.writeMessage(JournalEntry.RECORD_FIELD_NUMBER, record);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("encoding a journal record of " + size + " bytes failed", e);
    }
    return RecordFrame.seal(appendBuffer, entryBytes);
  }

  /**
   * Writes one excerpt. A failure inside the excerpt rolls it back, so that no partial record is
   * left (Chronicle would otherwise mark the half-written excerpt complete when the context
   * closes: that was the "not a JournalEntry" after a full tmpfs), and is reported as a {@link
   * JournalWriteException}; from then on no write is tried. OutOfMemoryError and StackOverflowError
   * are rethrown as they are (after the rollback), for the JVM's own handling.
   */
  private long write(byte[] bytes, int length, Supplier<String> what) {
    Throwable earlier = writeFailure;
    if (earlier != null) {
      throw new JournalWriteException("journal " + queue.dir() + ": not writing " + what.get()
          + ": an earlier write failed (" + earlier + "); this journal takes no more writes, reopen it (restart the"
          + " node)", earlier);
    }
    try {
      DocumentContext dc = appender.writingDocument();
      try {
        dc.wire().bytes().write(bytes, 0, length);
      } catch (Throwable t) {
        dc.rollbackOnClose();
        throw t;
      } finally {
        dc.close();
      }
    } catch (RuntimeException | Error e) {
      writeFailure = e;
      if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
        throw e;
      }
      throw new JournalWriteException("journal " + writingFileDescription() + ": writing " + what.get()
          + " failed (" + e + "); " + freeSpace() + "; nothing of it is in the journal, and this journal takes no more"
          + " writes: stop the node, free space or fix the disk, and restart it (replay refills the record)", e);
    }
    long excerpt = appender.lastIndexAppended();
    int cycle = queue.rollCycle().toCycle(excerpt);
    if (cycle != lastWrittenCycle && !unsynced.containsKey(cycle)) {
      File file = appender.currentFile();
      unsynced.put(cycle, file != null ? file : queue.dir().resolve(queue.cycleFileName(cycle)).toFile());
    }
    lastWrittenCycle = cycle;
    return excerpt;
  }

  /** "N bytes free on its file system", or why that is unknown, for messages. */
  private String freeSpace() {
    try {
      return Files.getFileStore(queue.dir()).getUsableSpace() + " bytes free on its file system";
    } catch (IOException | RuntimeException e) {
      return "free space unknown (" + e + ")";
    }
  }

  private static void force(Path file) {
    try {
      Fsync.file(file);
    } catch (IOException e) {
      throw new UncheckedIOException("journal: fsync of " + file + " failed", e);
    }
  }

  private static void forceDirectory(Path dir) {
    try {
      Fsync.directory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("journal: fsync of directory " + dir + " failed", e);
    }
  }
}
