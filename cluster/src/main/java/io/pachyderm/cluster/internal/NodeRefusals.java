package io.pachyderm.cluster.internal;

import io.pachyderm.api.AccessDeniedException;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;

/**
 * How a node's refusal of the caller (authorization policy, token) reaches the client through
 * Ratis' gRPC client, named by a stable identifier rather than a Java class name, so that moving
 * or renaming a class never breaks a client of another version.
 *
 * <p>The node closes the call with PERMISSION_DENIED or UNAUTHENTICATED and two trailers:
 * {@link #REFUSAL_KEY} ({@code pachyderm-refusal}) holding the refusal's {@link Kind#wireName()},
 * and Ratis' own exception-type trailer naming Ratis' {@link StateMachineException}, which Ratis'
 * client rebuilds from the status description (with the gRPC status, trailers included, as its
 * cause) and rethrows at once instead of retrying until the client's timeout. The client finds
 * the kind in the trailer. Nodes before this change named {@link NodeRefusalException} in Ratis'
 * trailer; {@link #accessDenied} still recognises that. Stateless.
 */
public final class NodeRefusals {
  /** The trailer that names the refusal's kind (ASCII; gRPC lower-cases trailer names). */
  public static final Metadata.Key<String> REFUSAL_KEY = Metadata.Key.of("pachyderm-refusal",
      Metadata.ASCII_STRING_MARSHALLER);
  /** Cause chains are walked at most this deep: a cyclic or absurd chain cannot hang the caller. */
  private static final int CAUSE_DEPTH_MAX = 16;

  private NodeRefusals() {}

  /** The refusals of the caller a node sends this way; each wire name is fixed forever once shipped. */
  public enum Kind {
    /** Not authenticated (token) or not authorized (policy): the client raises {@link AccessDeniedException}. */
    ACCESS_DENIED("access-denied");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    /** The identifier on the wire: lower-case words, never a class name. */
    public String wireName() {
      return wireName;
    }

    /** The kind a wire name stands for, or null for one this version does not know. */
    public static Kind fromWireName(String name) {
      for (Kind k : values()) {
        if (k.wireName.equals(name)) {
          return k;
        }
      }
      return null;
    }
  }

  /** The trailers a node closes a refused client call with. */
  public static Metadata trailers(Kind kind) {
    Metadata trailers = new Metadata();
    trailers.put(REFUSAL_KEY, kind.wireName());
    trailers.put(GrpcUtil.EXCEPTION_TYPE_KEY, StateMachineException.class.getName());
    return trailers;
  }

  /** The caller's exception when {@code failure} (or a cause of it) is a node's refusal of the caller, else null. */
  public static AccessDeniedException accessDenied(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < CAUSE_DEPTH_MAX; depth++, t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException status && status.getTrailers() != null
          && Kind.fromWireName(status.getTrailers().get(REFUSAL_KEY)) == Kind.ACCESS_DENIED) {
        return new AccessDeniedException(String.valueOf(status.getStatus().getDescription()), status);
      }
      if (t instanceof NodeRefusalException legacy) {
        return new AccessDeniedException(legacy.getMessage(), legacy);
      }
    }
    return null;
  }
}
