package io.pachyderm.storage.journal;

/**
 * The journal on disk breaks an invariant: an excerpt that fails its CRC32C check or is not a
 * JournalEntry, records out of order. The message names the file and the excerpt (and, for a
 * history read, the ref and version the index expected there). Not recoverable by retrying: the
 * node must stop, or refuse the read that met it, and an operator must look at the file named in
 * the message (or replace the journal with a copy from a peer). A bad last excerpt is not this: it
 * is a write torn by a crash or a full disk, and {@link EventJournal#open} cuts it.
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
