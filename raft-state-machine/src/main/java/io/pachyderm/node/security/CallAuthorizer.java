package io.pachyderm.node.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
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
 *   <li>client service: any verified certificate, but Pachyderm's admin request kinds (pause or
 *       resume effects, journal compaction: {@link AdminRequests}) only from a member or an admin;</li>
 *   <li>any other service: refused.</li>
 * </ul>
 * A refused call is closed with UNAUTHENTICATED or PERMISSION_DENIED and a description naming the
 * method and the identity, logged, and counted ({@link #refusals()}). The TLS handshake (mutual,
 * trust bundle) runs before this and already turns away peers without a trusted certificate.
 *
 * <p>Each accepted peer-service request must also name, as its sender, an id the certificate names
 * ({@link PeerIdBinding}). What this does not check: per-entity or per-ecosystem authorization of
 * clients. Thread-safe.
 */
public final class CallAuthorizer implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(CallAuthorizer.class);

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

  /**
   * @param nodeId this node, for log lines
   * @param isMember whether a node id is a member of the group now; called on every peer or admin call
   */
  public CallAuthorizer(String nodeId, Predicate<String> isMember) {
    this.nodeId = Objects.requireNonNull(nodeId, "node id");
    this.isMember = Objects.requireNonNull(isMember, "membership");
  }

  /** Why a call is refused: the gRPC status code and what to tell the caller. */
  record Refusal(Status.Code code, String description) {}

  /**
   * The decision for one call, without IO: null to accept.
   *
   * @param certificate the caller's verified leaf certificate, or null when it presented none
   */
  static Refusal check(String service, String method, X509Certificate certificate, Predicate<String> isMember) {
    String call = service + "/" + method;
    if (certificate == null) {
      return new Refusal(Status.Code.UNAUTHENTICATED, call + " refused: the caller presented no verified "
          + "certificate; this node requires mutual TLS");
    }
    String who = Identities.describe(certificate);
    switch (service) {
      case CLIENT_SERVICE:
        return null;
      case SERVER_SERVICE:
        if (namesMember(certificate, isMember)) {
          return null;
        }
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: only members of the group may call the "
            + "Raft peer service, and the certificate of " + who + " names no member (a member's certificate carries a "
            + "subject alternative name URI:" + Identities.PEER_URI_PREFIX + "<member id>)");
      case ADMIN_SERVICE:
        if (READ_ONLY_ADMIN_METHODS.contains(method) || Identities.isAdmin(certificate)
            || namesMember(certificate, isMember)) {
          return null;
        }
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: only members of the group and admins "
            + "may change the cluster, and " + who + " is neither (an admin certificate carries a subject alternative "
            + "name URI:" + Identities.ADMIN_URI_PREFIX + "<name>)");
      default:
        return new Refusal(Status.Code.PERMISSION_DENIED, call + " refused: not a service this node serves");
    }
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
    Refusal refusal = check(String.valueOf(service), String.valueOf(method), certificate, isMember);
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
      });
    }
    if (refusal == null) {
      return next.startCall(call, headers);
    }
    switch (refusal.code()) {
      case UNAUTHENTICATED -> unauthenticated.incrementAndGet();
      case PERMISSION_DENIED -> {
        if (SERVER_SERVICE.equals(service)) {
          notPeer.incrementAndGet();
        } else {
          notAdmin.incrementAndGet();
        }
      }
      default -> throw new IllegalStateException("unexpected refusal code " + refusal.code());
    }
    LOG.warn("node {}: {} (from {})", nodeId, refusal.description(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    call.close(Status.fromCode(refusal.code()).withDescription("node " + nodeId + ": " + refusal.description()),
        new Metadata());
    return new ServerCall.Listener<>() {};
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
    return new Refusals(unauthenticated.get(), notPeer.get(), notAdmin.get(), impersonation.get());
  }
}
