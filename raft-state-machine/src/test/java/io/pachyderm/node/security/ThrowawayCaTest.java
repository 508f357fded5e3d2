package io.pachyderm.node.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one throwaway CA of the CLI, the chaos suite, the benchmarks and the tests: what it issues is what Identities reads. */
class ThrowawayCaTest {
  @TempDir
  Path dir;

  @Test
  void aNodeCertificateNamesItsIdAndEveryHostAndChainsToTheCa() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "test CA, with a comma");
    TlsFiles n1 = ca.node("n1", List.of("10.213.0.2", "node1.example.org", "[::1]"));
    TlsMaterial material = n1.load();
    X509Certificate leaf = material.certificateChain().get(0);
    X509Certificate root = material.trustedCertificates().get(0);

    leaf.verify(root.getPublicKey());
    assertThat(n1.trustBundle()).isEqualTo(ca.trustBundle()).isEqualTo(dir.resolve("ca").resolve("ca.crt"));
    assertThat(n1.certificateChain().getFileName()).hasToString("n1.crt");
    assertThat(Identities.peerIds(leaf)).containsExactly("n1");
    assertThat(Identities.namesHost(leaf, "10.213.0.2")).isTrue();
    assertThat(Identities.namesHost(leaf, "node1.example.org")).isTrue();
    assertThat(Identities.namesHost(leaf, "[::1]")).isTrue();
    assertThat(Identities.namesHost(leaf, "10.213.0.3")).isFalse();
    assertThat(Identities.isAdmin(leaf)).isFalse();
    assertThat(root.getSubjectX500Principal().getName()).contains("test CA\\, with a comma");
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    assertThat(Files.getPosixFilePermissions(n1.privateKey())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void clientsHaveNoRoleAndAdminsTheAdminUri() {
    ThrowawayCa ca = ThrowawayCa.create(dir, "ca");
    X509Certificate client = ca.client("n1").load().certificateChain().get(0);
    X509Certificate admin = ca.admin("ops").load().certificateChain().get(0);
    assertThat(Identities.peerIds(client)).as("a client named like a node is no peer").isEmpty();
    assertThat(Identities.isAdmin(client)).isFalse();
    assertThat(Identities.describe(client)).isEqualTo("client 'CN=n1'");
    assertThat(Identities.isAdmin(admin)).isTrue();
    assertThat(Identities.peerIds(admin)).isEmpty();
    assertThat(dir.resolve("client-n1.crt")).exists();
    assertThat(dir.resolve("admin-ops.key")).exists();
  }

  @Test
  void certificatesOfAnotherCaDoNotVerify() throws Exception {
    X509Certificate ours = ThrowawayCa.create(dir.resolve("a"), "a").node("n1").load().certificateChain().get(0);
    TlsMaterial theirs = ThrowawayCa.create(dir.resolve("b"), "b").node("n1").load();
    assertThatThrownBy(() -> ours.verify(theirs.trustedCertificates().get(0).getPublicKey()))
        .isInstanceOf(java.security.SignatureException.class);
  }

  @Test
  void badInputIsRefusedNamingWhatIsWrong() {
    ThrowawayCa ca = ThrowawayCa.create(dir, "ca");
    assertThatThrownBy(() -> ca.node(" ", List.of("127.0.0.1"))).hasMessageContaining("node id must not be blank");
    assertThatThrownBy(() -> ca.node("n1", List.of())).hasMessageContaining("node n1: a node certificate needs at least one host");
    assertThatThrownBy(() -> ca.issue("../n1", "n1", List.of())).hasMessageContaining("plain file name: '../n1'");
    assertThatThrownBy(() -> new ThrowawayCa.AltName.Ip("10.0.0.300")).hasMessageContaining("not an IP address literal: '10.0.0.300'");
    assertThatThrownBy(() -> ThrowawayCa.create(dir, "")).hasMessageContaining("CA name must not be blank");
    assertThat(ThrowawayCa.AltName.host("10.0.0.1")).isEqualTo(new ThrowawayCa.AltName.Ip("10.0.0.1"));
    assertThat(ThrowawayCa.AltName.host("db.local")).isEqualTo(new ThrowawayCa.AltName.Dns("db.local"));
  }
}
