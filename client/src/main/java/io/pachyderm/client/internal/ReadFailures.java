package io.pachyderm.client.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pachyderm.api.AccessDeniedException;
import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.cluster.internal.NodeRefusals;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.ReadReply;
import io.pachyderm.protocol.Rejection;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The one place a read's answer (entity state, named query, history page, dead letters, status,
 * journal compaction) becomes either the bytes of its reply or the caller's typed exception. Every
 * read path of the client (the retried reads of {@link Connection#read}, the single attempts of
 * {@link Connection#readOnce}, the admin's compaction) asks here, so a node's refusal reads the same
 * whichever path met it. Nothing is parsed out of exception text.
 *
 * <p>Two wire forms: a read refused for what it asked comes back as a successful Ratis read whose
 * {@link ReadReply} holds the refusal's kind and detail (then {@link #result} throws
 * {@link CommandRejectedException}); a refusal of the caller fails the call with the
 * {@code pachyderm-refusal} trailer ({@link NodeRefusals}; then {@link #refusal} answers
 * {@link AccessDeniedException}). Stateless.
 */
public final class ReadFailures {
  private ReadFailures() {}

  /**
   * The reply bytes of the read's kind from a node's read answer.
   *
   * @throws CommandRejectedException when the node refused what the read asked (an unknown entity
   *     type, an invalid ref or range, an unknown query or args that do not fit it, a query that
   *     threw): another attempt or node would answer the same
   * @throws IOException when the answer is not a {@link ReadReply} (e.g. a node of another version)
   */
  public static ByteBuffer result(ByteBuffer answer) throws IOException {
    ReadReply reply;
    try {
      reply = ReadReply.parseFrom(answer);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("unreadable read reply (a node of another version? nodes and clients upgrade "
          + "together): " + e.getMessage(), e);
    }
    switch (reply.getOutcomeCase()) {
      case RESULT -> {
        return reply.getResult().asReadOnlyByteBuffer();
      }
      case REFUSED -> {
        Rejection refused = reply.getRefused();
        throw new CommandRejectedException(Protos.kind(refused.getKind()), refused.getMessage());
      }
      default -> throw new IOException("read reply with neither a result nor a refusal (a node of another "
          + "version? nodes and clients upgrade together)");
    }
  }

  /**
   * The typed exception for a failed read when the node refused the caller, which another attempt
   * or node would repeat: {@link AccessDeniedException}. Null for any other failure: a retry may
   * succeed.
   */
  public static PachydermException refusal(Throwable failure) {
    return NodeRefusals.accessDenied(failure);
  }
}
