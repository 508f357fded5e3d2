package io.pachyderm.node.internal;

import java.util.List;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCall;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * Binds every Raft peer-service request to the certificate it came with: each request names its
 * sender ({@code serverRequest.requestorId}), and that must be an id the certificate names. Without
 * this a member's certificate could speak in another member's name (say, appendEntries as the
 * leader with a higher term).
 *
 * <p>A request that claims another id closes the call with PERMISSION_DENIED and is not passed on;
 * neither is anything after it. The streaming calls (appendEntries, installSnapshot) have Ratis
 * sending replies from its own threads while a later request arrives on gRPC's, and a ServerCall
 * may not be used from two threads at once, so {@link GuardedCall} serializes every use and drops
 * whatever Ratis sends after the refusal closed the call.
 */
final class PeerIdBinding {
  private PeerIdBinding() {}

  /** The sender a peer-service request names, or null for a message that is not one. */
  static String claimedSender(Object message) {
    RaftRpcRequestProto request;
    if (message instanceof AppendEntriesRequestProto m) {
      request = m.getServerRequest();
    } else if (message instanceof RequestVoteRequestProto m) {
      request = m.getServerRequest();
    } else if (message instanceof InstallSnapshotRequestProto m) {
      request = m.getServerRequest();
    } else if (message instanceof ReadIndexRequestProto m) {
      request = m.getServerRequest();
    } else if (message instanceof StartLeaderElectionRequestProto m) {
      request = m.getServerRequest();
    } else {
      return null;
    }
    return request.getRequestorId().toStringUtf8();
  }

  /** What to do when a request claims an id the certificate does not name. */
  interface OnMismatch {
    /** Returns the status to close the call with (counted and logged by the caller). */
    Status refuse(String claimed);
  }

  /** A listener that passes on only requests whose sender is one of {@code ids}. */
  static <Q, R> ServerCall.Listener<Q> bind(GuardedCall<Q, R> call, ServerCall.Listener<Q> delegate, List<String> ids,
                                            OnMismatch onMismatch) {
    return new RefusingListener<>(delegate) {
      @Override
      Q admit(Q message) {
        String claimed = claimedSender(message);
        if (claimed != null && ids.contains(claimed)) {
          return message;
        }
        call.closeOnce(onMismatch.refuse(String.valueOf(claimed)));
        return null;
      }
    };
  }

  /** A ServerCall whose methods run one at a time and do nothing once it is closed. */
  static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    GuardedCall(ServerCall<Q, R> call) {
      super(call);
    }

    synchronized void closeOnce(Status status) {
      closeOnce(status, new Metadata());
    }

    synchronized void closeOnce(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void request(int count) {
      if (!closed) {
        super.request(count);
      }
    }

    @Override
    public synchronized void setMessageCompression(boolean enabled) {
      super.setMessageCompression(enabled);
    }

    @Override
    public synchronized void setCompression(String compressor) {
      super.setCompression(compressor);
    }
  }
}
