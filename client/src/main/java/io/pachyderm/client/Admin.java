package io.pachyderm.client;

import java.util.List;

/**
 * An operator's actions on a running cluster ({@code pachyderm admin ...}), from {@link
 * PachydermClient#admin()}. Blocking; thread-safe. Each call waits at most the client's request
 * timeout.
 *
 * <p>Failures: an unknown node id is an {@link IllegalArgumentException} naming the members; a
 * cluster that refuses the action (it is not allowed now, or the caller's certificate may not
 * administer the cluster under mutual TLS) is an {@link AdminRefusedException}, and nothing
 * changed; no answer in time is an {@link io.pachyderm.api.OutcomeUnknownException} (the action
 * may or may not have taken effect: look with {@link PachydermClient#status()}); anything else
 * (a node down, I/O) is a {@link io.pachyderm.api.PachydermException}.
 */
public interface Admin {
  /**
   * Has {@code nodeId} take a snapshot of its applied state now (Ratis' snapshot management) and
   * returns its index. A node that applied nothing since its latest snapshot answers that one's
   * index. Raft log entries older than the snapshot may then be purged, as after an automatic one.
   */
  SnapshotTaken snapshot(String nodeId);

  /**
   * Hands leadership to {@code nodeId} (Ratis' transferLeadership: the leader brings the node up
   * to date, then has it start an election) and returns once {@code nodeId} reports itself leader.
   * When it already leads, nothing happens and {@code from} equals {@code to}.
   */
  LeaderChange transferLeadership(String nodeId);

  /**
   * The leader gives up leadership (Ratis' transferLeadership to no one: it steps down to follower
   * and an election follows). Returns once a leader of a later term is known; it may be the same
   * node, re-elected.
   *
   * @throws AdminRefusedException when no node reports itself leader
   */
  LeaderChange stepDown();

  /**
   * Pauses at-least-once effects cluster-wide: a replicated setting (a log entry, kept in
   * snapshots), so it holds across leader changes and restarts. While paused no leader starts an
   * attempt: effects wait in the outbox, their attempts do not count up and none becomes a dead
   * letter; an attempt already running when the pause is applied finishes and is recorded.
   * At-most-once effects, messages and timers are not affected.
   *
   * @return true when this call paused them, false when they were paused already (a retry of this
   *     call after an unknown outcome also answers false)
   */
  boolean pauseEffects();

  /**
   * Resumes at-least-once effects: the leader dispatches every pending one at once (a retry that
   * was waiting out its backoff when the pause began goes now).
   *
   * @return true when this call resumed them, false when they were not paused
   */
  boolean resumeEffects();

  /**
   * Applies {@code nodeId}'s event journal retention now: deletes whole journal files of cycles
   * older than the retained ones (by that node's clock), never the newest file. Journal files are
   * node-local, so this acts on that node only.
   *
   * @throws AdminRefusedException when the node keeps its journal forever (the default retention)
   *     or keeps no journal: nothing was deleted
   */
  JournalCompacted compactJournal(String nodeId);

  /** A snapshot {@code nodeId} holds at log {@code index}. */
  record SnapshotTaken(String nodeId, long index) {}

  /** Leadership moved (or was re-won) from {@code from} in {@code fromTerm} to {@code to} in {@code toTerm}. */
  record LeaderChange(String from, long fromTerm, String to, long toTerm) {}

  /**
   * What a journal compaction did on {@code nodeId}.
   *
   * @param deletedFiles journal file names, oldest first (empty when nothing was old enough)
   * @param deletedBytes their size in bytes
   * @param keptFiles journal files left
   * @param records events the journal holds afterwards
   * @param retainedCyclesMax the node's retention: its newest this-many cycle files are kept
   * @param rollCycle how long a cycle is: FIVE_MINUTELY, HOURLY or DAILY
   */
  record JournalCompacted(String nodeId, List<String> deletedFiles, long deletedBytes, int keptFiles, long records,
                          int retainedCyclesMax, String rollCycle) {
    public JournalCompacted {
      deletedFiles = List.copyOf(deletedFiles);
    }
  }
}
