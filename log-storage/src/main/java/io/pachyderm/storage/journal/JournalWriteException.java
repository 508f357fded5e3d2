package io.pachyderm.storage.journal;

/**
 * A write to the journal failed: an {@code IOException} from Chronicle, or an {@code InternalError}
 * from a memory-mapped write that faulted (what SIGBUS on a full tmpfs or a failing disk becomes in
 * the JVM). The message names the journal file, what was being written and the space left on its
 * file system. Nothing of the failed record is left in the journal (the excerpt is rolled back;
 * if even that fails, the next open cuts it as a torn tail), and this journal takes no further
 * writes: the state of a mapped file after a fault is unknown. The caller must stop applying
 * (the node halts); reopening the journal after the cause is fixed works, and replaying the Raft
 * log refills the record.
 */
public final class JournalWriteException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JournalWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
