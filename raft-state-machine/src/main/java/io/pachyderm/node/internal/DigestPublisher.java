package io.pachyderm.node.internal;

import io.pachyderm.replica.ReplicaDigest;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the replica digest with the applied index it belongs to, after each applied index (on
 * the apply thread), for status and checkers on any thread; keeps it at checkpoint indexes, and
 * logs it at the same indexes on every node, so that node logs alone show where replicas parted.
 */
final class DigestPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(DigestPublisher.class);

  /** Every applied index that is a multiple of this logs its digest (a line per node per 10,000 entries). */
  static final long DIGEST_LOG_INTERVAL = 10_000;
  /** Every applied index that is a multiple of this records its digest for checkers. */
  static final long DIGEST_CHECKPOINT_INTERVAL = 100;

  private final String nodeId;
  private final DigestCheckpoints checkpoints = new DigestCheckpoints(DIGEST_CHECKPOINT_INTERVAL, 256);
  private volatile EntityStateMachine.DigestAt published = new EntityStateMachine.DigestAt(TermIndex.INITIAL_VALUE, 0);

  DigestPublisher(String nodeId) {
    this.nodeId = nodeId;
  }

  void publish(TermIndex applied, long digest) {
    if (applied == null) {
      return;
    }
    published = new EntityStateMachine.DigestAt(applied, digest);
    checkpoints.offer(applied.getIndex(), digest);
    if (applied.getIndex() > 0 && applied.getIndex() % DIGEST_LOG_INTERVAL == 0) {
      LOG.info("{} replica digest at applied index {}: {}", nodeId, applied.getIndex(), ReplicaDigest.hex(digest));
    }
  }

  /** The latest published digest with its index. Any thread. */
  EntityStateMachine.DigestAt published() {
    return published;
  }

  DigestCheckpoints checkpoints() {
    return checkpoints;
  }
}
