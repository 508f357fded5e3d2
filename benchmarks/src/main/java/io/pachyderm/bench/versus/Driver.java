package io.pachyderm.bench.versus;

/**
 * One system's state-dependent update, called by the closed loop. Implementations are
 * thread-safe for distinct {@code caller} values: caller c is always the same thread, so a
 * driver may keep one connection per caller.
 */
interface Driver extends AutoCloseable {
  /**
   * Updates entity {@code key} (0-based) once, blocking until the system acknowledged it as
   * durable on its majority (or on its one disk, for the single-process systems).
   *
   * @return the optimistic conflicts retried before the update committed (0 for systems that
   *     serialise updates per entity)
   * @throws Exception when the update failed; the loop counts it as an error and goes on
   */
  int update(int caller, int key) throws Exception;

  @Override
  void close() throws Exception;
}
