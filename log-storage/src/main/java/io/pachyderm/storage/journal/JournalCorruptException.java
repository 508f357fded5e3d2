package io.pachyderm.storage.journal;

/**
 * The journal on disk breaks an invariant (an excerpt that is not a JournalEntry, records out of
 * order). Not recoverable by retrying: the node must stop and an operator must look at the file
 * named in the message (or delete the journal and rebuild it from a peer).
 */
public final class JournalCorruptException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JournalCorruptException(String message) {
    super(message);
  }

  public JournalCorruptException(String message, Throwable cause) {
    super(message, cause);
  }
}
