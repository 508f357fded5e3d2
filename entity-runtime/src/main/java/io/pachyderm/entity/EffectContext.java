package io.pachyderm.entity;

/**
 * Where an effect came from.
 *
 * @param ecosystem the ecosystem of the entity that produced the effect
 * @param ref the entity that produced the effect
 * @param version the entity's version after the events of the producing command
 * @param logIndex the Raft log index of the entry that carried the effect
 * @param term the Raft term of that entry
 * @param effectIndex the effect's sequence number in its entity's outbox: unique per entity (messages,
 *     effects and timers share the sequence), the same on every replica and every retry
 * @param nodeId the node that dispatches it: for at-most-once effects the leader that appended the
 *     entry; for at-least-once effects the leader that (re)dispatches it now
 */
public record EffectContext(
    String ecosystem, EntityRef<?, ?> ref, long version, long logIndex, long term, int effectIndex,
    String nodeId) {

  /** A key that identifies this effect across the cluster: {@code ecosystem/type/id@version#index}. */
  public String idempotencyKey() {
    return ecosystem + "/" + ref.type() + "/" + ref.id() + "@" + version + "#" + effectIndex;
  }
}
