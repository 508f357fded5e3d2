package io.pachyderm.api;

import java.time.Duration;

/**
 * A stream of an entity's committed changes, in version order, without gaps or duplicates.
 *
 * <p>Pull-based: nothing is fetched ahead beyond one page, so a consumer that stops polling costs
 * the cluster nothing, and a consumer that falls behind simply reads older events from the
 * journal. On the cluster a follow survives node failures and leader changes: it resumes from
 * {@link #lastVersion()} + 1 on another node. To resume after the process itself restarts, open a
 * new follow at {@code lastVersion() + 1}.
 *
 * <p>Not thread-safe: one consumer thread. Close it when done.
 */
public interface Follow<S> extends AutoCloseable {

  /**
   * Opens a follow at the entity's current state when {@code follow} is called: its first change
   * is that state ({@link Change#isStartingState()}), then every later event.
   */
  long FROM_CURRENT = 0;

  /**
   * The next change, waiting up to {@code timeout} for one to be committed; null if none came.
   *
   * @throws HistoryUnavailableException if the requested versions are no longer retained on any
   *     node (journal retention), or the follow's entity type is unknown
   * @throws InterruptedException if the thread was interrupted while waiting
   * @throws IllegalStateException if the follow is closed
   */
  Change<S> poll(Duration timeout) throws InterruptedException;

  /** The version of the last change returned, or {@code fromVersion - 1} before the first. */
  long lastVersion();

  @Override
  void close();
}
