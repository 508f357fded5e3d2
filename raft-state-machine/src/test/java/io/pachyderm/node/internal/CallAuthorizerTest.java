package io.pachyderm.node.internal;

import io.pachyderm.node.security.AuthorizationPolicy;
import io.pachyderm.node.security.Identities;
import io.pachyderm.node.security.ThrowawayCa;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.security.ThrowawayCa.AltName;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity rule and the per-service decision, without a network. */
class CallAuthorizerTest {
  private static final Predicate<String> MEMBERS = Set.of("n1", "n2", "n3")::contains;

  @TempDir
  Path dir;

  private ThrowawayCa ca;

  @BeforeEach
  void authority() {
    ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
  }

  @Test
  void theRaftPeerServiceAdmitsOnlyCertificatesThatNameAMember() {
    for (String method : List.of("appendEntries", "requestVote", "installSnapshot", "readIndex", "startLeaderElection")) {
      assertThat(check(CallAuthorizer.SERVER_SERVICE, method, leaf(ca.node("n2")))).isNull();
      assertThat(code(CallAuthorizer.SERVER_SERVICE, method, leaf(ca.node("n9")))).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(code(CallAuthorizer.SERVER_SERVICE, method, leaf(ca.client("n1")))).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(code(CallAuthorizer.SERVER_SERVICE, method, leaf(ca.admin("ops")))).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(code(CallAuthorizer.SERVER_SERVICE, method, null)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void theAdminServiceAdmitsMembersAndAdminsToChangeAndAnyCertificateToRead() {
    for (String method : List.of("setConfiguration", "groupManagement", "snapshotManagement", "transferLeadership",
        "leaderElectionManagement")) {
      assertThat(check(CallAuthorizer.ADMIN_SERVICE, method, leaf(ca.node("n1")))).isNull();
      assertThat(check(CallAuthorizer.ADMIN_SERVICE, method, leaf(ca.admin("ops")))).isNull();
      assertThat(code(CallAuthorizer.ADMIN_SERVICE, method, leaf(ca.client("alice")))).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(code(CallAuthorizer.ADMIN_SERVICE, method, leaf(ca.node("n9")))).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    for (String method : List.of("groupInfo", "groupList")) {
      assertThat(check(CallAuthorizer.ADMIN_SERVICE, method, leaf(ca.client("alice")))).isNull();
      assertThat(code(CallAuthorizer.ADMIN_SERVICE, method, null)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void theClientServiceAdmitsAnyVerifiedCertificateAndUnknownServicesNone() {
    assertThat(check(CallAuthorizer.CLIENT_SERVICE, "ordered", leaf(ca.client("alice")))).isNull();
    assertThat(check(CallAuthorizer.CLIENT_SERVICE, "unordered", leaf(ca.node("n1")))).isNull();
    assertThat(code(CallAuthorizer.CLIENT_SERVICE, "ordered", null)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(code("grpc.reflection.v1.ServerReflection", "info", leaf(ca.node("n1"))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void rolesComeFromUriSubjectAlternativeNamesOnly() {
    X509Certificate commonNameOnly = leaf(ca.issue("cn-only", "n1", List.of()));
    assertThat(Identities.peerIds(commonNameOnly)).isEmpty();
    assertThat(Identities.isAdmin(commonNameOnly)).isFalse();
    X509Certificate dnsOnly = leaf(ca.issue("dns-only", "x", List.of(new AltName.Dns("n1"))));
    assertThat(Identities.peerIds(dnsOnly)).isEmpty();
    X509Certificate emptyId = leaf(ca.issue("empty", "x",
        List.of(new AltName.Uri("pachyderm:peer:"))));
    assertThat(Identities.peerIds(emptyId)).isEmpty();
    assertThat(Identities.peerIds(leaf(ca.node("n3")))).containsExactly("n3");
    assertThat(Identities.isAdmin(leaf(ca.admin("ops")))).isTrue();
    assertThat(Identities.describe(leaf(ca.client("alice")))).isEqualTo("client 'CN=alice'");
  }

  @Test
  void aHostIsNamedByAnEqualIpOrDnsNameAsGrpcChecksIt() {
    X509Certificate c = leaf(ca.issue("hosts", "x", List.of(
        new AltName.Ip("10.0.0.1"), new AltName.Ip("::1"),
        new AltName.Dns("node1.example.org"), new AltName.Dns("*.pods.local"))));
    assertThat(Identities.namesHost(c, "10.0.0.1")).isTrue();
    assertThat(Identities.namesHost(c, "[::1]")).isTrue();
    assertThat(Identities.namesHost(c, "NODE1.example.org")).isTrue();
    assertThat(Identities.namesHost(c, "n7.pods.local")).isTrue();
    assertThat(Identities.namesHost(c, "a.b.pods.local")).isFalse();
    assertThat(Identities.namesHost(c, "10.0.0.2")).isFalse();
    assertThat(Identities.namesHost(c, "node2.example.org")).isFalse();
    assertThat(Identities.namesHost(leaf(ca.client("alice")), "10.0.0.1")).isFalse();
  }

  @Test
  void underAPolicyTheClientServiceNeedsACertificateThatNamesAnIdentity() {
    AuthorizationPolicy policy = AuthorizationPolicy.parse("p", "* query *\n");
    assertThat(check(CallAuthorizer.CLIENT_SERVICE, "unordered", leaf(ca.namedClient("alice")), policy)).isNull();
    assertThat(check(CallAuthorizer.CLIENT_SERVICE, "unordered", leaf(ca.admin("ops")), policy)).isNull();
    CallAuthorizer.Refusal anonymous = check(CallAuthorizer.CLIENT_SERVICE, "unordered", leaf(ca.client("alice")),
        policy);
    assertThat(anonymous.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(anonymous.description()).contains("names no client identity");
    // Roles from URI SANs only: a peer certificate is not a client identity either.
    assertThat(check(CallAuthorizer.CLIENT_SERVICE, "unordered", leaf(ca.node("n1")), policy)).isNotNull();
    assertThat(Identities.policyNames(leaf(ca.namedClient("alice")))).containsExactly("alice");
    assertThat(Identities.policyNames(leaf(ca.admin("ops")))).containsExactly("ops");
    assertThat(Identities.policyNames(leaf(ca.client("alice")))).isEmpty();
    assertThat(Identities.describe(leaf(ca.namedClient("alice")))).isEqualTo("client alice");
  }

  @Test
  void underAPolicyTheAdminServiceNeedsStatusToReadAndAdminToChange() {
    AuthorizationPolicy policy = AuthorizationPolicy.parse("p", "ops status,admin *\nviewer status *\n");
    assertThat(check(CallAuthorizer.ADMIN_SERVICE, "groupInfo", leaf(ca.namedClient("viewer")), policy)).isNull();
    assertThat(check(CallAuthorizer.ADMIN_SERVICE, "groupInfo", leaf(ca.namedClient("alice")), policy)).isNotNull();
    assertThat(check(CallAuthorizer.ADMIN_SERVICE, "setConfiguration", leaf(ca.admin("ops")), policy)).isNull();
    assertThat(check(CallAuthorizer.ADMIN_SERVICE, "setConfiguration", leaf(ca.admin("other")), policy)).isNotNull();
    // admin in the policy does not make a client certificate an admin: the role is the URI SAN's.
    assertThat(check(CallAuthorizer.ADMIN_SERVICE, "setConfiguration", leaf(ca.namedClient("ops")), policy)).isNotNull();
    assertThat(check(CallAuthorizer.ADMIN_SERVICE, "setConfiguration", leaf(ca.node("n1")), policy)).isNull();
  }

  private static CallAuthorizer.Refusal check(String service, String method, X509Certificate certificate,
                                              AuthorizationPolicy policy) {
    return CallAuthorizer.check(service, method, certificate, MEMBERS, policy);
  }

  @Test
  void refusalsNameTheMethodAndTheCaller() {
    CallAuthorizer.Refusal refusal = check(CallAuthorizer.SERVER_SERVICE, "appendEntries", leaf(ca.client("eve")));
    assertThat(refusal.description()).contains("RaftServerProtocolService/appendEntries").contains("client 'CN=eve'")
        .contains("URI:pachyderm:peer:");
  }

  private static CallAuthorizer.Refusal check(String service, String method, X509Certificate certificate) {
    return CallAuthorizer.check(service, method, certificate, MEMBERS);
  }

  private static Status.Code code(String service, String method, X509Certificate certificate) {
    CallAuthorizer.Refusal refusal = check(service, method, certificate);
    assertThat(refusal).as(service + "/" + method).isNotNull();
    return refusal.code();
  }

  private static X509Certificate leaf(io.pachyderm.cluster.tls.TlsFiles files) {
    return files.load().certificateChain().get(0);
  }
}
