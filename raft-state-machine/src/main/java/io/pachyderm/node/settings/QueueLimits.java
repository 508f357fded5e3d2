package io.pachyderm.node.settings;

/**
 * How much work a node holds in memory off the log: every queue between the apply thread, the
 * leader's work loop, the effect handlers and the readers has a maximum, so that a slow handler,
 * a slow disk or a burst of reads costs a bounded amount of memory and is answered with a clear
 * rejection instead of a growing backlog. Immutable; set with
 * {@link io.pachyderm.node.PachydermNode.Builder#queueLimits(QueueLimits)}.
 *
 * @param proposalsQueuedMax internal proposals (deliveries, timer fires, effect reports) waiting
 *     for the proposer threads; a full queue fails that proposal and the leader's work loop tries
 *     it again after a pause. Default {@value #PROPOSALS_QUEUED_MAX_DEFAULT}.
 * @param leaderWorkTasksQueuedMax hand-overs from the apply thread to the leader's work loop
 *     (a message, effect or timer was applied) not yet taken by the loop; beyond it the hand-over
 *     is dropped and the loop rescans the replicated outbox instead, which finds the same work.
 *     Default {@value #LEADER_WORK_TASKS_QUEUED_MAX_DEFAULT}.
 * @param effectHandlerThreadsMax handler threads per effect handler (per name), for each of the
 *     two kinds (at most once, at least once): a handler that hangs holds at most this many threads,
 *     all its own, and never delays another handler's effects. Default
 *     {@value #EFFECT_HANDLER_THREADS_MAX_DEFAULT}.
 * @param effectsQueuedPerHandlerMax effects of one handler waiting for one of its threads; beyond
 *     it an at-most-once effect is dropped (logged, counted as failed) and an at-least-once effect
 *     waits in the outbox and is dispatched again after a pause (not counted as an attempt).
 *     Default {@value #EFFECTS_QUEUED_PER_HANDLER_MAX_DEFAULT}.
 * @param historyPageBytesMax encoded bytes of journal records in one history page; a page holds
 *     at least one record even if that record alone is larger, and ends early (the client reads on)
 *     when the next record would pass this. Must stay below the transport's message limit
 *     ({@value #TRANSPORT_MESSAGE_BYTES_MAX} bytes). Default {@value #HISTORY_PAGE_BYTES_MAX_DEFAULT}.
 */
public record QueueLimits(int proposalsQueuedMax, int leaderWorkTasksQueuedMax, int effectHandlerThreadsMax,
                          int effectsQueuedPerHandlerMax, int historyPageBytesMax) {
  public static final int PROPOSALS_QUEUED_MAX_DEFAULT = 10_000;
  public static final int LEADER_WORK_TASKS_QUEUED_MAX_DEFAULT = 100_000;
  public static final int EFFECT_HANDLER_THREADS_MAX_DEFAULT = 4;
  public static final int EFFECTS_QUEUED_PER_HANDLER_MAX_DEFAULT = 10_000;
  public static final int HISTORY_PAGE_BYTES_MAX_DEFAULT = 4 << 20;
  /**
   * The gRPC message limit of nodes and clients (Ratis' {@code GrpcConfigKeys.setMessageSizeMax}
   * in {@code PachydermNode} and {@code PachydermClient}); an answer larger than this never arrives.
   */
  public static final int TRANSPORT_MESSAGE_BYTES_MAX = 64 << 20;

  public static final QueueLimits DEFAULT = new QueueLimits(PROPOSALS_QUEUED_MAX_DEFAULT,
      LEADER_WORK_TASKS_QUEUED_MAX_DEFAULT, EFFECT_HANDLER_THREADS_MAX_DEFAULT, EFFECTS_QUEUED_PER_HANDLER_MAX_DEFAULT,
      HISTORY_PAGE_BYTES_MAX_DEFAULT);

  public QueueLimits {
    atLeastOne(proposalsQueuedMax, "proposalsQueuedMax");
    atLeastOne(leaderWorkTasksQueuedMax, "leaderWorkTasksQueuedMax");
    atLeastOne(effectHandlerThreadsMax, "effectHandlerThreadsMax");
    atLeastOne(effectsQueuedPerHandlerMax, "effectsQueuedPerHandlerMax");
    atLeastOne(historyPageBytesMax, "historyPageBytesMax");
    // Room for the page's own fields (node id, versions, state) next to the records.
    if (historyPageBytesMax > TRANSPORT_MESSAGE_BYTES_MAX / 2) {
      throw new IllegalArgumentException("historyPageBytesMax must be at most half the transport's message limit ("
          + TRANSPORT_MESSAGE_BYTES_MAX / 2 + " bytes), got " + historyPageBytesMax);
    }
  }

  private static void atLeastOne(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  public QueueLimits withProposalsQueuedMax(int n) {
    return new QueueLimits(n, leaderWorkTasksQueuedMax, effectHandlerThreadsMax, effectsQueuedPerHandlerMax,
        historyPageBytesMax);
  }

  public QueueLimits withLeaderWorkTasksQueuedMax(int n) {
    return new QueueLimits(proposalsQueuedMax, n, effectHandlerThreadsMax, effectsQueuedPerHandlerMax,
        historyPageBytesMax);
  }

  public QueueLimits withEffectHandlerThreadsMax(int n) {
    return new QueueLimits(proposalsQueuedMax, leaderWorkTasksQueuedMax, n, effectsQueuedPerHandlerMax,
        historyPageBytesMax);
  }

  public QueueLimits withEffectsQueuedPerHandlerMax(int n) {
    return new QueueLimits(proposalsQueuedMax, leaderWorkTasksQueuedMax, effectHandlerThreadsMax, n,
        historyPageBytesMax);
  }

  public QueueLimits withHistoryPageBytesMax(int bytes) {
    return new QueueLimits(proposalsQueuedMax, leaderWorkTasksQueuedMax, effectHandlerThreadsMax,
        effectsQueuedPerHandlerMax, bytes);
  }
}
