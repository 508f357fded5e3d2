package io.pachyderm.entity;

/**
 * Where an effect came from.
 *
 * @param ecosystem the ecosystem of the entity that produced the effect
 * @param ref the entity that produced the effect
 * @param version the entity's version after the events of the producing command
 * @param logIndex the Raft log index of the entry that carried the effect
 * @param term the Raft term of that entry; the dispatching node was its leader in this term
 * @param effectIndex position of the effect within its command's decision
 * @param nodeId the node that dispatches it (the leader that appended the entry)
 */
public record EffectContext(
    String ecosystem, EntityRef<?, ?> ref, long version, long logIndex, long term, int effectIndex,
    String nodeId) {

  /** A key that identifies this effect across the cluster: {@code ecosystem/type/id@version#index}. */
  public String idempotencyKey() {
    return ecosystem + "/" + ref.type() + "/" + ref.id() + "@" + version + "#" + effectIndex;
  }
}
