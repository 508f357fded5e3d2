package io.pachyderm.runtime;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.codec.Encoded;
import java.util.List;

/** What running one command produced: an accepted record's contents, or a rejection. */
public sealed interface Execution {

  /**
   * @param events encoded events, in order, to write
   * @param effects encoded effects to dispatch after commit
   * @param messages messages to other entities, delivered after commit
   * @param timers timer operations, applied at commit
   * @param reply the encoded reply, or null when none was asked for
   * @param replyIsState whether {@code reply} is the new state (the default) rather than an explicit reply
   * @param newState the state after applying the events (speculative until committed)
   * @param newVersion the version after applying the events
   */
  record Accepted(List<Encoded> events, List<EncodedEffect> effects, List<EncodedMessage> messages,
                  List<EncodedTimer> timers, Encoded reply, boolean replyIsState,
                  Object newState, long newVersion) implements Execution {}

  record Rejected(RejectionKind kind, String message) implements Execution {}
}
