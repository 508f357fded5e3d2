package io.pachyderm.api;

import io.pachyderm.codec.Encoded;
import io.pachyderm.entity.EntityRef;
import java.time.Instant;
import java.util.Objects;

/**
 * An at-least-once effect whose every attempt failed: the leader set it aside and dispatches it
 * no more until it is redriven ({@link DeadLetters#redrive}) or discarded ({@link DeadLetters#discard}).
 *
 * <p>Its textual {@link #id()} is {@code ecosystem/type/id#seq}. Ecosystem and type names never
 * contain '/' or '#' and the sequence number is decimal digits, so the entity id between them may
 * hold any character, '/' and '#' included; {@link #parseId} reads it back.
 *
 * @param ecosystem the source entity's ecosystem
 * @param source the entity whose command produced the effect
 * @param seq the effect's number in the source's outbox (messages, effects and timers share the count)
 * @param handler the registered name of the effect handler
 * @param payload the effect payload as the source entity type's codec encoded it
 * @param decoded the payload decoded by the source's entity type; null when the reader does not
 *     know that type or cannot decode the payload (then {@code payload} still holds it)
 * @param version the source's version after the command that produced the effect
 * @param attempts dispatch attempts that failed
 * @param lastError the error of the last failed attempt
 * @param deadAt when the leader gave up, by its clock
 */
public record DeadLetter(String ecosystem, EntityRef<Object, Object> source, long seq, String handler,
                         Encoded payload, Object decoded, long version, int attempts, String lastError,
                         Instant deadAt) {
  public DeadLetter {
    EcosystemNames.requireValid(ecosystem);
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(deadAt, "deadAt");
    requireSeq(seq);
  }

  /** The stable textual id, {@code ecosystem/type/id#seq}, that {@link DeadLetters} methods take. */
  public String id() {
    return new Id(ecosystem, source, seq).toString();
  }

  /**
   * Reads a textual id: the ecosystem ends at the first '/', the type at the next '/', and the
   * sequence number follows the last '#'.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code id}
   */
  public static Id parseId(String id) {
    Objects.requireNonNull(id, "dead letter id");
    int typeStart = id.indexOf('/') + 1;
    int idStart = typeStart == 0 ? 0 : id.indexOf('/', typeStart) + 1;
    int hash = id.lastIndexOf('#');
    if (typeStart == 0 || idStart == 0 || hash < idStart) {
      throw new IllegalArgumentException(malformed(id, "it is not of the form ecosystem/type/id#seq"));
    }
    String ecosystem = id.substring(0, typeStart - 1);
    String type = id.substring(typeStart, idStart - 1);
    String entityId = id.substring(idStart, hash);
    String seqText = id.substring(hash + 1);
    long seq = parseSeq(id, seqText);
    try {
      return new Id(ecosystem, EntityRef.of(type, entityId), seq);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(malformed(id, e.getMessage()), e);
    }
  }

  private static long parseSeq(String id, String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(malformed(id, "the sequence number after the last '#' is missing"));
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException(malformed(id, "the sequence number after the last '#' must be "
            + "decimal digits, was '" + text + "'"));
      }
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(malformed(id, "the sequence number " + text + " is out of range"), e);
    }
  }

  private static String malformed(String id, String why) {
    // Ids can be long (entity ids up to 512 bytes); the message must stay one readable line.
    String shown = id.length() <= 200 ? id : id.substring(0, 200) + "...";
    return "dead letter id '" + shown + "' is malformed: " + why;
  }

  private static void requireSeq(long seq) {
    if (seq < 0) {
      throw new IllegalArgumentException("dead letter sequence number must be >= 0, was " + seq);
    }
  }

  /**
   * A dead letter's identity: the source entity and the effect's outbox sequence number.
   * {@link #toString()} is the textual id.
   */
  public record Id(String ecosystem, EntityRef<Object, Object> source, long seq) {
    public Id {
      EcosystemNames.requireValid(ecosystem);
      Objects.requireNonNull(source, "source");
      requireSeq(seq);
    }

    @Override
    public String toString() {
      return ecosystem + "/" + source.type() + "/" + source.id() + "#" + seq;
    }
  }
}
