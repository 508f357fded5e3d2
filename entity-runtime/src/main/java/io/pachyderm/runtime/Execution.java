package io.pachyderm.runtime;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import java.util.List;

/** What running one command produced: an accepted record's contents, or a rejection. */
public sealed interface Execution {
  /**
   * Whether {@code handle} drew from {@link io.pachyderm.entity.Context#random()}: then the result
   * depends on the request's seed, not only on the command, state, version and time. The
   * simulation merges worlds that differ only in what seeds their traffic would get only while no
   * handler draws.
   */
  boolean randomDrawn();

  /**
   * @param events encoded events, in order, to write
   * @param effects encoded effects to dispatch after commit
   * @param messages messages to other entities, delivered after commit
   * @param timers timer operations, applied at commit
   * @param reply the encoded reply, or null when none was asked for
   * @param replyIsState whether {@code reply} is the new state (the default) rather than an explicit reply
   * @param newState the state after applying the events (speculative until committed)
   * @param newVersion the version after applying the events
   * @param randomDrawn whether {@code handle} drew randomness
   */
  record Accepted(List<Encoded> events, List<EncodedEffect> effects, List<EncodedMessage> messages,
                  List<EncodedTimer> timers, Encoded reply, boolean replyIsState,
                  Object newState, long newVersion, boolean randomDrawn) implements Execution {}

  record Rejected(RejectionKind kind, String message, boolean randomDrawn) implements Execution {
    /** A rejection decided before or without drawing randomness. */
    public Rejected(RejectionKind kind, String message) {
      this(kind, message, false);
    }
  }
}
