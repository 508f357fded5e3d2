package io.pachyderm.node.internal;

import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.security.Refusals;
import io.pachyderm.node.security.Operation;
import io.pachyderm.node.security.Identities;

import io.pachyderm.cluster.internal.NodeRefusals;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link Identities}' rule to every gRPC call a node serves, before Ratis sees it:
 * <ul>
 *   <li>Raft peer service (appendEntries, requestVote, installSnapshot, readIndex,
 *       startLeaderElection): only a certificate that names a current member of the group;</li>
 *   <li>Ratis admin service: groupInfo and groupList (read-only; {@code status} uses them) for any
 *       verified certificate; everything else (setConfiguration, groupManagement,
 *       snapshotManagement, transferLeadership, leaderElectionManagement) only for a member or an
 *       admin;</li>
 *   <li>client service: any verified certificate, or with an {@link AuthorizationPolicy} each
 *       request for what the policy grants the certificate's identities ({@link ClientRequests}
 *       decodes and classifies it); with a shared token, each request must carry it. Pachyderm's
 *       admin request kinds (pause or resume effects, journal compaction: {@link AdminRequests})
 *       need, without a policy, a member's or an admin's certificate, and with one, an identity
 *       the policy grants {@code admin};</li>
 *   <li>any other service: refused.</li>
 * </ul>
 * With a policy, the admin service's read-only methods also need {@code status}, and its changing
 * methods (for a certificate that is not a member's) an admin certificate whose identity the
 * policy grants {@code admin}. Without TLS (token only) there are no certificates: the peer and
 * admin services are not checked at all, and the client service only for the token.
 * A refused call is closed with UNAUTHENTICATED or PERMISSION_DENIED and a description naming the
 * method and the identity, logged, and counted ({@link #refusals()}). The TLS handshake (mutual,
 * trust bundle) runs before this and already turns away peers without a trusted certificate.
 *
 * <p>Each accepted peer-service request must also name, as its sender, an id the certificate names
 * ({@link PeerIdBinding}). A client-service request is checked before Ratis sees it, and one that
 * is refused closes the call: nothing it carried reaches the state machine, the log or a read.
 * What this does not check: per-entity authorization. Thread-safe.
 */
public final class CallAuthorizer implements ServerInterceptor {
  /** Under its name before it moved here (issue 13), which operators' log settings and README name. */
  private static final Logger LOG = LoggerFactory.getLogger("io.pachyderm.node.security.CallAuthorizer");

  static final String SERVER_SERVICE = "ratis.grpc.RaftServerProtocolService";
  static final String ADMIN_SERVICE = "ratis.grpc.AdminProtocolService";
  static final String CLIENT_SERVICE = "ratis.grpc.RaftClientProtocolService";
  private static final Set<String> READ_ONLY_ADMIN_METHODS = Set.of("groupInfo", "groupList");

  private final String nodeId;
  private final Predicate<String> isMember;
  private final AtomicLong unauthenticated = new AtomicLong();
  private final AtomicLong notPeer = new AtomicLong();
  private final AtomicLong notAdmin = new AtomicLong();
  private final AtomicLong impersonation = new AtomicLong();
  private final AtomicLong notAuthorized = new AtomicLong();
  private final AtomicLong badToken = new AtomicLong();
  /** False for a node with a token but no TLS: there are no certificates to check. */
  private final boolean certificatesRequired;
  /** Null: any verified certificate may use the client service. */
  private final AuthorizationPolicy policy;
  /** SHA-256 of the shared token, or null for none. */
  private final byte[] tokenDigest;

  /**
   * A node with mutual TLS, no policy and no token.
   *
   * @param nodeId this node, for log lines
   * @param isMember whether a node id is a member of the group now; called on every peer or admin call
   */
  public CallAuthorizer(String nodeId, Predicate<String> isMember) {
    this(nodeId, isMember, true, null, null);
  }

  /**
   * @param certificatesRequired whether the node serves mutual TLS (every call carries a verified certificate)
   * @param policy the client authorization policy, or null for none (needs {@code certificatesRequired})
   * @param token the shared client token, or null for none
   */
  public CallAuthorizer(String nodeId, Predicate<String> isMember, boolean certificatesRequired,
                        AuthorizationPolicy policy, String token) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.isMember = Objects.requireNonNull(isMember, "membership");
    if (policy != null && !certificatesRequired) {
      throw new IllegalArgumentException("an authorization policy names certificate identities: it needs mutual TLS");
    }
    this.certificatesRequired = certificatesRequired;
    this.policy = policy;
    this.tokenDigest = token == null ? null : sha256(token.getBytes(StandardCharsets.UTF_8));
  }

  /** Hashing both sides makes the comparison's time independent of the token's length and content. */
  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Why a call is refused: the gRPC status code and what to tell the caller. */
  record Refusal(Status.Code code, String description) {}

  /**
   * The decision for one call, without IO: null to accept.
   *
   * @param certificate the caller's verified leaf certificate, or null when it presented none
   */
  static Refusal check(String service, String method, X509Certificate certificate, Predicate<String> isMember) {
    return check(service, method, certificate, isMember, null);
  }

  /**
   * As {@link #check(String, String, X509Certificate, Predicate)}, under an authorization policy
   * (null for none). Client-service calls pass here when the certificate names an identity; each of
   * their requests then goes through {@link #checkRequest}.
   */
  static Refusal check(String service, String method, X509Certificate certificate, Predicate<String> isMember,
                       AuthorizationPolicy policy) {
    String call = service + "/" + method;
    if (certificate == null) {
      return new Refusal(Status.Code.UNAUTHENTICATED, call + " refused: the caller presented no verified "
          + "certificate; this node requires mutual TLS");
    }
    String who = Identities.describe(certificate);
    switch (service) {
      case CLIENT_SERVICE:
        if (policy == null || !Identities.policyNames(certificate).isEmpty()) {
          return null;
        }
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: " + who + " names no client identity, "
            + "and this node's authorization policy allows only named ones (a client certificate carries a subject "
            + "alternative name URI:" + Identities.CLIENT_URI_PREFIX + "<name>)");
      case SERVER_SERVICE:
        if (namesMember(certificate, isMember)) {
          return null;
        }
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: only members of the group may call the "
            + "Raft peer service, and the certificate of " + who + " names no member (a member's certificate carries a "
            + "subject alternative name URI:" + Identities.PEER_URI_PREFIX + "<member id>)");
      case ADMIN_SERVICE:
        if (namesMember(certificate, isMember)) {
          return null;
        }
        if (policy != null) {
          return checkAdminUnderPolicy(call, method, certificate, who, policy);
        }
        if (READ_ONLY_ADMIN_METHODS.contains(method) || Identities.isAdmin(certificate)) {
          return null;
        }
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: only members of the group and admins "
            + "may change the cluster, and " + who + " is neither (an admin certificate carries a subject alternative "
            + "name URI:" + Identities.ADMIN_URI_PREFIX + "<name>)");
      default:
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: not a service this node serves");
    }
  }

  private static Refusal checkAdminUnderPolicy(String call, String method, X509Certificate certificate, String who,
                                              AuthorizationPolicy policy) {
    List<String> names = Identities.policyNames(certificate);
    if (READ_ONLY_ADMIN_METHODS.contains(method)) {
      if (policy.allows(names, Operation.STATUS, AuthorizationPolicy.ANY)) {
        return null;
      }
      return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: " + who + " may not read status: the "
          + "authorization policy " + policy.source() + " grants it no 'status'");
    }
    if (Identities.isAdmin(certificate) && policy.allows(names, Operation.ADMIN, AuthorizationPolicy.ANY)) {
      return null;
    }
    return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: only members of the group, and admins "
        + "the authorization policy " + policy.source() + " grants 'admin', may change the cluster, and " + who
        + " is neither (an admin certificate carries a subject alternative name URI:" + Identities.ADMIN_URI_PREFIX
        + "<name>)");
  }

  /**
   * The decision for one client-service request, without IO: null to pass it on.
   *
   * @param who the caller, for the description
   * @param names the caller's identities under the policy
   * @param policy null for none: any known request passes
   * @param tokenDigest SHA-256 of the node's token, null for none
   */
  static Refusal checkRequest(ClientRequests.Classified request, String who, List<String> names,
                              AuthorizationPolicy policy, byte[] tokenDigest, boolean adminOrMember) {
    if (tokenDigest != null) {
      if (request.token().length == 0) {
        return new Refusal(Status.Code.UNAUTHENTICATED, "request refused: it carries no token, and this node "
            + "serves clients that present its shared token only (the client's --token-file / Builder.token)");
      }
      if (!MessageDigest.isEqual(tokenDigest, sha256(request.token()))) {
        return new Refusal(Status.Code.UNAUTHENTICATED, "request refused: wrong token (not the node's --token-file)");
      }
    }
    if (policy == null) {
      // The state machine refuses internal and undecodable requests itself; admin requests are
      // for members and admins as on the admin service.
      if (!adminOrMember && request instanceof ClientRequests.Classified.Known known
          && known.needs().stream().anyMatch(n -> n.operation() == Operation.ADMIN)) {
        return new Refusal(Status.Code.PERMISSION_DENIED, "request refused: admin requests (pause or resume "
            + "effects, journal compaction) are for members of the group and admins, and " + who + " is neither (an "
            + "admin certificate carries a subject alternative name URI:" + Identities.ADMIN_URI_PREFIX + "<name>)");
      }
      return null;
    }
    if (request instanceof ClientRequests.Classified.Internal) {
      return new Refusal(Status.Code.PERMISSION_DENIED, "request refused: deliveries, timer fires and effect "
          + "reports are proposed by the leader itself, not by clients");
    }
    if (request instanceof ClientRequests.Classified.Unclassified u) {
      return new Refusal(Status.Code.PERMISSION_DENIED, "request refused: " + u.why() + "; under an authorization "
          + "policy this node serves only the requests Pachyderm clients send");
    }
    ClientRequests.Classified.Known known = (ClientRequests.Classified.Known) request;
    for (ClientRequests.Need need : known.needs()) {
      if (!policy.allows(names, need.operation(), need.ecosystem())) {
        String where = need.ecosystem().equals(AuthorizationPolicy.ANY) ? "every ecosystem"
            : "ecosystem '" + need.ecosystem() + "'";
        return new Refusal(Status.Code.PERMISSION_DENIED, "request refused: " + who + " may not "
            + need.operation().policyName() + " in " + where + " (authorization policy " + policy.source() + ")");
      }
    }
    return null;
  }

  private static boolean namesMember(X509Certificate certificate, Predicate<String> isMember) {
    for (String id : Identities.peerIds(certificate)) {
      if (isMember.test(id)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    String method = call.getMethodDescriptor().getBareMethodName();
    X509Certificate certificate = leafCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (!certificatesRequired) {
      // Token only, no TLS: nothing to check but the client service's token.
      return CLIENT_SERVICE.equals(service) ? guardClientCall(call, headers, next, null) : next.startCall(call, headers);
    }
    Refusal refusal = check(String.valueOf(service), String.valueOf(method), certificate, isMember, policy);
    if (refusal == null && CLIENT_SERVICE.equals(service) && (policy != null || tokenDigest != null)) {
      return guardClientCall(call, headers, next, certificate);
    }
    if (refusal == null && SERVER_SERVICE.equals(service)) {
      List<String> ids = Identities.peerIds(certificate);
      PeerIdBinding.GuardedCall<Q, R> guarded = new PeerIdBinding.GuardedCall<>(call);
      return PeerIdBinding.bind(guarded, next.startCall(guarded, headers), ids, claimed -> {
        impersonation.incrementAndGet();
        String description = service + "/" + method + " refused: the request claims to come from " + claimed
            + ", but the caller's certificate names " + ids;
        LOG.warn("node {}: {} (from {})", nodeId, description, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        return Status.PERMISSION_DENIED.withDescription("node " + nodeId + ": " + description);
      });
    }
    if (refusal == null && CLIENT_SERVICE.equals(service) && !Identities.isAdmin(certificate)
        && !namesMember(certificate, isMember)) {
      String who = Identities.describe(certificate);
      PeerIdBinding.GuardedCall<Q, R> guarded = new PeerIdBinding.GuardedCall<>(call);
      return AdminRequests.refuse(guarded, next.startCall(guarded, headers), () -> {
        notAdmin.incrementAndGet();
        String description = service + "/" + method + " refused: admin requests (pause or resume effects, journal "
            + "compaction) are for members of the group and admins, and " + who + " is neither (an admin certificate "
            + "carries a subject alternative name URI:" + Identities.ADMIN_URI_PREFIX + "<name>)";
        LOG.warn("node {}: {} (from {})", nodeId, description, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        return Status.PERMISSION_DENIED.withDescription("node " + nodeId + ": " + description);
      }, refusalTrailers());
    }
    if (refusal == null) {
      return next.startCall(call, headers);
    }
    switch (refusal.code()) {
      case UNAUTHENTICATED -> unauthenticated.incrementAndGet();
      case PERMISSION_DENIED -> {
        if (SERVER_SERVICE.equals(service)) {
          notPeer.incrementAndGet();
        } else if (CLIENT_SERVICE.equals(service)) {
          notAuthorized.incrementAndGet();
        } else {
          notAdmin.incrementAndGet();
        }
      }
      default -> throw new IllegalStateException("unexpected refusal code " + refusal.code());
    }
    LOG.warn("node {}: {} (from {})", nodeId, refusal.description(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    call.close(Status.fromCode(refusal.code()).withDescription(describe(refusal)),
        CLIENT_SERVICE.equals(service) ? refusalTrailers() : new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private String describe(Refusal refusal) {
    return "node " + nodeId + ": " + refusal.code() + ": " + refusal.description();
  }

  /**
   * Names the refusal by its stable identifier and has Ratis' gRPC client rebuild it as a
   * StateMachineException, which its blocking client rethrows at once, where a bare
   * PERMISSION_DENIED would be retried as an IO failure until the client's timeout (see {@link NodeRefusals}).
   */
  private static Metadata refusalTrailers() {
    return NodeRefusals.trailers(NodeRefusals.Kind.ACCESS_DENIED);
  }

  /**
   * Passes on each request of a client-service call that {@link #checkRequest} accepts, without its
   * token; the first refused one closes the call, and nothing after it is passed on.
   */
  @SuppressWarnings("unchecked")
  private <Q, R> ServerCall.Listener<Q> guardClientCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next, X509Certificate certificate) {
    String who = certificate == null ? "a client without a certificate" : Identities.describe(certificate);
    List<String> names = certificate == null ? List.of() : Identities.policyNames(certificate);
    // Without certificates (a token only) there is no one to tell apart: as on the admin service.
    boolean adminOrMember = certificate == null || Identities.isAdmin(certificate) || namesMember(certificate, isMember);
    PeerIdBinding.GuardedCall<Q, R> guarded = new PeerIdBinding.GuardedCall<>(call);
    ServerCall.Listener<Q> delegate = next.startCall(guarded, headers);
    return new RefusingListener<>(delegate) {
      @Override
      Q admit(Q message) {
        Refusal refusal;
        Object forwarded = message;
        if (message instanceof RaftClientRequestProto request) {
          ClientRequests.Classified classified = ClientRequests.classify(request);
          refusal = checkRequest(classified, who, names, policy, tokenDigest, adminOrMember);
          forwarded = classified.forwarded();
        } else {
          refusal = new Refusal(Status.Code.PERMISSION_DENIED, "request refused: not a Ratis client request");
        }
        if (refusal == null) {
          return (Q) forwarded;
        }
        if (refusal.code() == Status.Code.UNAUTHENTICATED) {
          badToken.incrementAndGet();
        } else {
          notAuthorized.incrementAndGet();
        }
        LOG.warn("node {}: {}/{}: {} (from {})", nodeId, call.getMethodDescriptor().getServiceName(),
            call.getMethodDescriptor().getBareMethodName(), refusal.description(),
            call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        guarded.close(Status.fromCode(refusal.code()).withDescription(describe(refusal)), refusalTrailers());
        return null;
      }
    };
  }

  private static X509Certificate leafCertificate(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      List<Certificate> chain = List.of(session.getPeerCertificates());
      return !chain.isEmpty() && chain.get(0) instanceof X509Certificate x509 ? x509 : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** Calls refused since this node started. */
  public Refusals refusals() {
    return new Refusals(unauthenticated.get(), notPeer.get(), notAdmin.get(), impersonation.get(), notAuthorized.get(),
        badToken.get());
  }
}
