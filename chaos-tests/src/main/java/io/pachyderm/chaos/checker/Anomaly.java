package io.pachyderm.chaos.checker;

import java.util.Objects;

/**
 * One thing a checker found wrong.
 *
 * @param kind one of the constants of this class
 * @param key the entity id concerned (for effect anomalies, the idempotency key or term), or
 *     null when the anomaly is not about one key
 * @param description what was seen, naming the ops ({@code #index}) involved
 */
public record Anomaly(String kind, String key, String description) {
  /** No order of the operations explains the values read (Wing–Gong / Lowe search failed). */
  public static final String NON_LINEARIZABLE = "non-linearizable";
  /** The linearizability search ran out of budget: the answer is unknown. */
  public static final String SEARCH_BUDGET_EXCEEDED = "search-budget-exceeded";
  /**
   * Two nodes report different replica digests at the same applied index: their replicated states
   * differ although they applied the same log (see {@link DigestChecker}).
   */
  public static final String REPLICA_DIVERGENCE = "replica-divergence";
  /** An acknowledged (or observed) append is missing from the final state. */
  public static final String LOST_WRITE = "lost-write";
  /** An element appears twice in one read. */
  public static final String DUPLICATE = "duplicate";
  /** Append order contradicts real time, or two reads disagree on the order. */
  public static final String REORDERING = "reordering";
  /** Nodes returned different final reads for the same key. */
  public static final String DIVERGENT_FINAL_READS = "divergent-final-reads";
  /** A read missed something that had completed, or went backwards, before it was invoked. */
  public static final String STALE_READ = "stale-read";
  /** An append whose client got FAIL is visible in a read. */
  public static final String FAILED_WRITE_VISIBLE = "failed-write-visible";
  /** A read holds an element that was never appended, or before its append was invoked. */
  public static final String PHANTOM_ELEMENT = "phantom-element";
  /** An effect with the same idempotency key was dispatched more than once (at most once). */
  public static final String EFFECT_DUPLICATE = "effect-duplicate";
  /** Two different nodes dispatched effects in the same term: one of them was not the leader. */
  public static final String EFFECT_BY_NON_LEADER = "effect-by-non-leader";
  /** A dispatch carries no valid term (term &lt;= 0). */
  public static final String EFFECT_UNKNOWN_TERM = "effect-unknown-term";
  /** An effect that had to be dispatched at least once never was. */
  public static final String EFFECT_MISSING = "effect-missing";
  /**
   * Attempts of one at-least-once effect carried different idempotency keys, or one key was
   * used by two different effects: a receiver deduplicating on the key would repeat or drop one.
   */
  public static final String EFFECT_KEY_CHANGED = "effect-key-changed";
  /** An effect was dispatched although its command never committed. */
  public static final String EFFECT_UNCOMMITTED = "effect-uncommitted";
  /** A balance below zero: a transfer was accepted without the funds. */
  public static final String NEGATIVE_BALANCE = "negative-balance";
  /** The sum over all accounts on a node differs from what the accounts opened with. */
  public static final String BANK_TOTAL_CHANGED = "bank-total-changed";
  /** An account's balance disagrees with its own ledger (opening - debited + credited). */
  public static final String LEDGER_MISMATCH = "ledger-mismatch";
  /** Fewer messages were received than sent (a debit whose credit never arrived). */
  public static final String LOST_MESSAGE = "lost-message";
  /** More messages were received than sent (a credit delivered twice, or made up). */
  public static final String DUPLICATE_MESSAGE = "duplicate-message";
  /** A ledger holds more operations than the history could have caused, even counting unknown outcomes. */
  public static final String UNEXPLAINED_WRITE = "unexplained-write";
  /** A node's final reads do not cover every key, so its state cannot be judged as a whole. */
  public static final String INCOMPLETE_FINAL_READS = "incomplete-final-reads";
  /** A follower's stream skipped a version (or did not start where it was asked to). */
  public static final String FOLLOW_GAP = "follow-gap";
  /** A follower's stream repeated a version or went back. */
  public static final String FOLLOW_DUPLICATE = "follow-duplicate";
  /**
   * A follower received an event that is not the final history's at that version (other payload,
   * log index or term), or a version the final history does not have.
   */
  public static final String FOLLOW_DIVERGED = "follow-diverged";
  /** A follower's state differs from the fold of the final history up to its version. */
  public static final String FOLLOW_STATE_MISMATCH = "follow-state-mismatch";
  /** A follower did not reach the final version within the wait after healing. */
  public static final String FOLLOW_STALLED = "follow-stalled";
  /** An entity's final history, or one node's journal of it, skips a version. */
  public static final String JOURNAL_GAP = "journal-gap";
  /** Two nodes' journal records of one version differ, or a node's differs from the final history. */
  public static final String JOURNAL_DIVERGED = "journal-diverged";
  /** A node's journal ends before the entity's final version (after every node caught up). */
  public static final String JOURNAL_INCOMPLETE = "journal-incomplete";
  /** The final history or a node's journal could not be read, so it could not be judged. */
  public static final String JOURNAL_UNREAD = "journal-unread";
  /** A user's invariant over the final states does not hold on a node (see {@link FinalStatesChecker}). */
  public static final String INVARIANT_VIOLATED = "invariant-violated";
  /** The history breaks the format a checker needs (wrong value type, repeated element...). */
  public static final String MALFORMED_HISTORY = "malformed-history";

  public Anomaly {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
  }

  @Override
  public String toString() {
    return kind + (key == null ? "" : " [" + key + "]") + ": " + description;
  }
}
