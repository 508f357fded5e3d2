package io.pachyderm.client;

import io.pachyderm.api.DeadLetter;
import io.pachyderm.api.DeadLetters;
import io.pachyderm.api.PachydermException;
import io.pachyderm.client.internal.EncodedOperations;
import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.protocol.PendingEffect;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.Ref;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The typed dead-letter API over {@link EncodedOperations#readDeadLetters} and single-action
 * writes: the dead-letter store of the whole cluster (every ecosystem's). Payloads are decoded
 * when their source's entity type is registered with the client. Thread-safe.
 */
final class ClusterDeadLetters implements DeadLetters {
  private final EncodedOperations encoded;
  private final EntityTypes types;

  ClusterDeadLetters(EncodedOperations encoded, EntityTypes types) {
    this.encoded = encoded;
    this.types = types;
  }

  @Override
  public CompletableFuture<List<DeadLetter>> listAsync(int limit) {
    return encoded.readDeadLetters(limit).thenApply(list -> {
      List<DeadLetter> letters = new ArrayList<>(list.getDeadLettersCount());
      for (PendingEffect p : list.getDeadLettersList()) {
        try {
          letters.add(deadLetter(p));
        } catch (IllegalArgumentException | NullPointerException e) {
          throw new PachydermException("unreadable dead letter in the reply: " + e.getMessage(), e);
        }
      }
      return List.copyOf(letters);
    });
  }

  @Override
  public CompletableFuture<Boolean> redriveAsync(String id) {
    return action(id, true);
  }

  @Override
  public CompletableFuture<Boolean> discardAsync(String id) {
    return action(id, false);
  }

  /** Completes with true when this call applied the action (DONE), false when the letter was gone (GONE). */
  private CompletableFuture<Boolean> action(String id, boolean redrive) {
    DeadLetter.Id parsed;
    try {
      parsed = DeadLetter.parseId(id);
    } catch (IllegalArgumentException | NullPointerException e) {
      return CompletableFuture.failedFuture(e);
    }
    return encoded.deadLetterAction(parsed, redrive);
  }

  private DeadLetter deadLetter(PendingEffect p) {
    Ref source = p.getId().getSource();
    Encoded payload = Protos.encoded(p.getPayload());
    return new DeadLetter(source.getEcosystem(), EntityRef.of(source.getType(), source.getId()), p.getId().getSeq(),
        p.getHandler(), payload, decodeOrNull(source.getType(), payload), p.getVersion(), p.getAttempts(),
        p.getLastError(), Instant.ofEpochMilli(p.getDeadAtMs()));
  }

  /** Null when the type is not registered here or its codec cannot read the payload: listing must not fail on it. */
  private Object decodeOrNull(String typeName, Encoded payload) {
    EntityType<?, ?, ?> type = types.find(typeName);
    if (type == null) {
      return null;
    }
    try {
      return type.codec().decode(payload);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
