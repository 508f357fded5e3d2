package io.pachyderm.node.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.HandlerRegistry;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.ServerMethodDefinition;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each of a node's separate ports to its own service: the peer port serves only the Raft
 * peer service, the client port only the client service, the admin port only Ratis' admin service.
 * gRPC itself answers UNIMPLEMENTED for a service that is not registered on a port; this guard
 * answers PERMISSION_DENIED instead, naming the port and where the service is, and logs it.
 *
 * <p>On the admin port it also refuses requests addressed to another node. A bare {@code admin=PORT}
 * in {@code --peers} puts every node's admin port on 127.0.0.1, which from a host that runs a
 * different node reaches that node; without this check an admin call meant for n2 (say, remove the
 * group) would be carried out by n1. Thread-safe.
 */
public final class PortGuard implements ServerInterceptor {
  /** Under its name before it moved here (issue 13), which operators' log settings and README name. */
  private static final Logger LOG = LoggerFactory.getLogger("io.pachyderm.node.security.PortGuard");

  /** The port kinds a node serves, as Ratis' services customizer names them. */
  private static final List<GrpcServices.Type> KINDS =
      List.of(GrpcServices.Type.SERVER, GrpcServices.Type.CLIENT, GrpcServices.Type.ADMIN);

  private final String nodeId;
  private final Set<GrpcServices.Type> served;
  private final String port;
  private final Addresses addresses;
  private final AtomicLong refused;

  /** Where this node serves each service, for refusals that tell the caller where to go. */
  public record Addresses(String peer, String client, String admin) {
    public Addresses {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(admin, "admin");
    }

    String of(GrpcServices.Type type) {
      return switch (type) {
        case SERVER -> "the peer port " + peer;
        case CLIENT -> "the client port " + client;
        case ADMIN -> "the admin port " + admin;
      };
    }
  }

  /**
   * @param served the services this port serves, as Ratis' customizer gives them
   * @param refused counts calls this guard refused (shared by the guards of one node)
   */
  public PortGuard(String nodeId, Set<GrpcServices.Type> served, Addresses addresses, AtomicLong refused) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.served = served.isEmpty() ? EnumSet.noneOf(GrpcServices.Type.class) : EnumSet.copyOf(served);
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.refused = Objects.requireNonNull(refused, "refusal counter");
    this.port = served.contains(GrpcServices.Type.SERVER) ? addresses.of(GrpcServices.Type.SERVER)
        : served.contains(GrpcServices.Type.CLIENT) ? addresses.of(GrpcServices.Type.CLIENT)
        : addresses.of(GrpcServices.Type.ADMIN);
  }

  static String serviceName(GrpcServices.Type type) {
    return switch (type) {
      case SERVER -> CallAuthorizer.SERVER_SERVICE;
      case CLIENT -> CallAuthorizer.CLIENT_SERVICE;
      case ADMIN -> CallAuthorizer.ADMIN_SERVICE;
    };
  }

  /**
   * gRPC's fallback for methods not registered on this port: every call to one is refused with
   * PERMISSION_DENIED. Interceptors (authentication first) still run before it.
   */
  public HandlerRegistry refusingRegistry() {
    return new HandlerRegistry() {
      @Override
      public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        MethodDescriptor<InputStream, InputStream> method = MethodDescriptor.<InputStream, InputStream>newBuilder()
            .setType(MethodDescriptor.MethodType.UNKNOWN)
            .setFullMethodName(methodName)
            .setRequestMarshaller(RAW)
            .setResponseMarshaller(RAW)
            .build();
        return ServerMethodDefinition.create(method, (call, headers) -> {
          refuse(call, wrongPort(methodName));
          return new ServerCall.Listener<>() {};
        });
      }
    };
  }

  private String wrongPort(String methodName) {
    String service = MethodDescriptor.extractFullServiceName(methodName);
    StringBuilder where = new StringBuilder();
    for (GrpcServices.Type kind : KINDS) {
      if (serviceName(kind).equals(service) && !served.contains(kind)) {
        where.append("; it is served on ").append(addresses.of(kind));
      }
    }
    return methodName + " refused: this is node " + nodeId + "'s " + port.substring("the ".length())
        + ", which serves " + servedNames() + " only" + (where.length() == 0 ? "" : where.toString());
  }

  private String servedNames() {
    return String.join(" and ", served.stream().map(t -> switch (t) {
      case SERVER -> "the Raft peer service";
      case CLIENT -> "the client service";
      case ADMIN -> "Ratis' admin service";
    }).toList());
  }

  private void refuse(ServerCall<?, ?> call, String description) {
    refused.incrementAndGet();
    LOG.warn("node {}: {} (from {})", nodeId, description, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    call.close(Status.PERMISSION_DENIED.withDescription("node " + nodeId + ": " + description), new Metadata());
  }

  /** On the admin service: each request must name this node as its target. */
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
    if (!CallAuthorizer.ADMIN_SERVICE.equals(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean closed;

      @Override
      public void onMessage(Q message) {
        if (closed) {
          return;
        }
        String target = target(message);
        if (target == null || target.equals(nodeId)) {
          super.onMessage(message);
          return;
        }
        closed = true;
        refuse(call, call.getMethodDescriptor().getFullMethodName() + " refused: addressed to node " + target
            + ", but this is node " + nodeId + "'s admin port " + addresses.admin() + "; admin ports on loopback "
            + "serve only their own host, so run admin commands for " + target + " on " + target + "'s host");
      }

      @Override
      public void onHalfClose() {
        if (!closed) {
          super.onHalfClose();
        }
      }
    };
  }

  /** The node an admin request is addressed to, or null for a message that is not one. */
  static String target(Object message) {
    RaftRpcRequestProto request;
    if (message instanceof GroupListRequestProto m) {
      request = m.getRpcRequest();
    } else if (message instanceof GroupInfoRequestProto m) {
      request = m.getRpcRequest();
    } else if (message instanceof GroupManagementRequestProto m) {
      request = m.getRpcRequest();
    } else if (message instanceof SetConfigurationRequestProto m) {
      request = m.getRpcRequest();
    } else if (message instanceof TransferLeadershipRequestProto m) {
      request = m.getRpcRequest();
    } else if (message instanceof SnapshotManagementRequestProto m) {
      request = m.getRpcRequest();
    } else if (message instanceof LeaderElectionManagementRequestProto m) {
      request = m.getRpcRequest();
    } else {
      return null;
    }
    return request.getReplyId().toStringUtf8();
  }

  /** Bytes in, nothing parsed: the refused call's messages are never read. */
  private static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream == null ? new ByteArrayInputStream(new byte[0]) : stream;
    }
  };
}
