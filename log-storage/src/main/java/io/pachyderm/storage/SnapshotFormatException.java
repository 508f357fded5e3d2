package io.pachyderm.storage;

import java.io.IOException;

/** A snapshot file is truncated, corrupted or of an unknown format; the message names the file. */
public final class SnapshotFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public SnapshotFormatException(String message) {
    super(message);
  }
}
