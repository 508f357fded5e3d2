package io.pachyderm.storage.journal;

/**
 * The versions of one ref that this node's journal indexes, {@code first..last} inclusive and
 * contiguous. {@code first} is above 1 when older records were dropped by retention or when the
 * ref's versions jumped after a snapshot installation ({@link EventJournal#markGap}): those
 * versions exist on other nodes but {@link EventJournal#history} cannot return them here.
 * Immutable.
 */
public record VersionRange(long first, long last) {
  public VersionRange {
    if (first < 1 || last < first) {
      throw new IllegalArgumentException("version range needs 1 <= first <= last, got " + first + ".." + last);
    }
  }
}
