package io.pachyderm.node.internal;

import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;

/**
 * Passes a call's requests on one at a time until {@link #admit} refuses one. Once it has, the
 * call is closed (by {@code admit}) and nothing from that request or after it reaches the delegate
 * (Ratis), not even the half-close, so a refused request can never be half-served. The one rule
 * every per-request guard on a node's gRPC calls follows: the peer-id binding, the admin-request
 * check and the client authorization.
 */
abstract class RefusingListener<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
  private boolean refused;

  RefusingListener(ServerCall.Listener<Q> delegate) {
    super(delegate);
  }

  /**
   * The request to pass on (this one, or one rewritten, e.g. without its token); null after
   * refusing it, in which case this method has closed the call.
   */
  abstract Q admit(Q request);

  @Override
  public final void onMessage(Q request) {
    if (refused) {
      return;
    }
    Q admitted = admit(request);
    if (admitted == null) {
      refused = true;
      return;
    }
    super.onMessage(admitted);
  }

  @Override
  public final void onHalfClose() {
    if (!refused) {
      super.onHalfClose();
    }
  }

  @Override
  public final void onReady() {
    if (!refused) {
      super.onReady();
    }
  }
}
