package io.pachyderm.node.internal;

import io.pachyderm.replica.Outbox;
import java.util.List;

/**
 * A leader pump's pass over one kind of outbox item (messages, effects) in key order, a page at a
 * time from a cursor (the last id read), so the pump holds a window rather than the whole outbox.
 * An item applied after the pass read past its key is the pump's to take by hand-over; one the
 * pump had to pass over (its window full, a rescan asked during a pass) makes the pass run again
 * from the beginning once it ends ({@link #passOverlooked}).
 *
 * <p>Not thread-safe: the leader's work loop only.
 */
final class OutboxScan {
  /** One page of ids after {@code after} (null: from the beginning), at most {@code max}. */
  interface PageReader {
    List<Outbox.Id> idsAfter(Outbox.Id after, int max);
  }

  private final PageReader pages;
  /** The last id the pass read; null: the pass starts at the beginning. */
  private Outbox.Id cursor;
  /** The pass came to the outbox's end: new items come by hand-over. */
  private boolean readAll;
  /** An item may have been passed over: pass again from the beginning when this pass ends. */
  private boolean passAgain;

  OutboxScan(PageReader pages) {
    this.pages = pages;
  }

  /** Forgets the pass: the next page is the outbox's first. */
  void reset() {
    cursor = null;
    readAll = false;
    passAgain = false;
  }

  /** Reads the outbox from its beginning: now if the last pass ended, else after the pass under way. */
  void rescan() {
    if (readAll) {
      cursor = null;
      readAll = false;
    } else if (cursor != null) {
      passAgain = true;
    }
  }

  /** Whether the pass under way will still read {@code id} (it is after the cursor). */
  boolean willRead(Outbox.Id id) {
    return !readAll && (cursor == null || id.compareTo(cursor) > 0);
  }

  /** An item the pass will not read could not be taken by hand-over: pass again. */
  void passOverlooked() {
    passAgain = true;
  }

  /** The next page of at most {@code room} ids; empty when the pass has ended and none is due again. */
  List<Outbox.Id> next(int room) {
    if (readAll) {
      if (!passAgain) {
        return List.of();
      }
      passAgain = false;
      readAll = false;
      cursor = null;
    }
    List<Outbox.Id> page = pages.idsAfter(cursor, room);
    if (!page.isEmpty()) {
      cursor = page.get(page.size() - 1);
    }
    readAll = page.size() < room;
    return page;
  }
}
