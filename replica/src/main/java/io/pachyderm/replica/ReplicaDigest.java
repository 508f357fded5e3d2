package io.pachyderm.replica;

import com.google.protobuf.MessageLite;
import io.pachyderm.codec.Encoded;
import io.pachyderm.protocol.Outcome;
import io.pachyderm.protocol.Protos.RequestKey;
import io.pachyderm.runtime.EntityKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The replica digest (issue 16): a 64-bit summary of the replicated state, that is the entities with
 * their versions and encoded states, the de-duplication table, the outbox (messages, effects,
 * dead letters, timers, sequence counters) and the operator's effects-paused setting. Replicas at the same applied index must hold the same
 * digest; the first index where two differ is where a replica left the log's state.
 *
 * <p>A multiset hash: each item of the state hashes on its own (SHA-256, first 8 bytes, with a tag
 * per kind of item) and the digest is the sum of the item hashes modulo 2^64. Changing an item
 * subtracts its old hash and adds the new one, so the apply thread keeps the digest current at the
 * cost of the change, never of the whole state; and the digest is a function of the state alone,
 * not of the path to it, so a node that installed a snapshot agrees with one that replayed the log.
 * Two different states give the same digest with probability 2^-64.
 *
 * <p>Entities hash the bytes their codec produced when the state was applied (or that the snapshot
 * holds), so nodes running codecs that encode the same state differently report different digests.
 */
public final class ReplicaDigest {
  private static final byte ENTITY = 'E';
  private static final byte DEDUP = 'D';
  private static final byte OUTBOX = 'O';
  private static final byte EFFECTS_PAUSED = 'P';

  // MessageDigest is not thread-safe; hashing runs on the apply thread and on snapshot loading.
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private ReplicaDigest() {}

  /** An entity at {@code version} whose state encodes to {@code state}. */
  static long entity(EntityKey key, long version, Encoded state) {
    MessageDigest md = start(ENTITY);
    string(md, key.ecosystem());
    string(md, key.type());
    string(md, key.id());
    int64(md, version);
    string(md, state.type());
    int64(md, state.schemaVersion());
    int64(md, state.data().length);
    md.update(state.data());
    return finish(md);
  }

  /** A remembered request and the outcome it is answered with. */
  static long dedup(RequestKey key, Outcome outcome) {
    MessageDigest md = start(DEDUP);
    int64(md, key.clientHi());
    int64(md, key.clientLo());
    int64(md, key.sequence());
    md.update(outcome.toByteArray());
    return finish(md);
  }

  /** An outbox item, as its snapshot form (protobuf encoding is deterministic for these messages: no maps). */
  static long outbox(MessageLite item) {
    MessageDigest md = start(OUTBOX);
    md.update(item.toByteArray());
    return finish(md);
  }

  /**
   * The operator's "at-least-once effects paused" setting, counted while it is on (so the digest of
   * a state without it is what it was before the setting existed).
   */
  static long effectsPaused() {
    return finish(start(EFFECTS_PAUSED));
  }

  /** How status, logs and checkers print a digest. */
  public static String hex(long digest) {
    return String.format("%016x", digest);
  }

  private static MessageDigest start(byte tag) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(tag);
    return md;
  }

  private static void string(MessageDigest md, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int64(md, bytes.length);
    md.update(bytes);
  }

  private static void int64(MessageDigest md, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      md.update((byte) (v >>> shift));
    }
  }

  private static long finish(MessageDigest md) {
    byte[] h = md.digest();
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xFF);
    }
    return v;
  }
}
