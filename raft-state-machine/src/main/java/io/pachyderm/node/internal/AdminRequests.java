package io.pachyderm.node.internal;

import io.pachyderm.protocol.CommandBatch;
import io.pachyderm.protocol.ReadRequest;
import java.io.IOException;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedInputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.WireFormat;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * Pachyderm's admin request kinds on the client service: a write whose batch carries an
 * {@code AdminAction} (pause or resume at-least-once effects), and a request to one node for a
 * {@code JournalCompaction}. Under mutual TLS only an admin or member certificate may send them
 * ({@link CallAuthorizer}); every other client-service request is unaffected.
 *
 * <p>Recognised by the presence of the field alone, skipping the others unparsed, so the check
 * costs next to nothing on a write of many commands. Bytes that do not parse are let through: the
 * state machine refuses them as undecodable, and nothing in them can act as an admin request.
 */
final class AdminRequests {
  private AdminRequests() {}

  /** Whether {@code message} (a client-service request) is one of the admin request kinds. */
  static boolean isAdminRequest(Object message) {
    if (!(message instanceof RaftClientRequestProto request) || !request.hasMessage()) {
      return false;
    }
    ByteString content = request.getMessage().getContent();
    if (request.hasWrite()) {
      return hasField(content, CommandBatch.ADMIN_ACTION_FIELD_NUMBER);
    }
    if (request.hasRead() || request.hasStaleRead()) {
      return hasField(content, ReadRequest.COMPACT_JOURNAL_FIELD_NUMBER);
    }
    return false;
  }

  private static boolean hasField(ByteString bytes, int fieldNumber) {
    CodedInputStream in = bytes.newCodedInput();
    try {
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return false;
        }
        if (WireFormat.getTagFieldNumber(tag) == fieldNumber) {
          return true;
        }
        if (!in.skipField(tag)) {
          return false;
        }
      }
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A listener that passes on every request but admin ones: the first admin request closes the
   * call with {@code refuse}'s status, and nothing from it or after it reaches Ratis.
   */
  static <Q, R> ServerCall.Listener<Q> refuse(PeerIdBinding.GuardedCall<Q, R> call, ServerCall.Listener<Q> delegate,
                                              Supplier<Status> refuse, Metadata trailers) {
    return new RefusingListener<>(delegate) {
      @Override
      Q admit(Q message) {
        if (!isAdminRequest(message)) {
          return message;
        }
        call.closeOnce(refuse.get(), trailers);
        return null;
      }
    };
  }
}
