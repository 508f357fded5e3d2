package io.pachyderm.node;

import io.pachyderm.cluster.internal.RatisCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.cluster.tls.TlsMaterial;
import io.pachyderm.node.security.ThrowawayCa;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsFiles#load()} (client module; tested here, where the test CA lives): good files load,
 * and each kind of wrong file is refused with a message naming the file.
 */
class TlsFilesTest {
  @TempDir
  Path dir;

  @Test
  void loadsAChainItsPkcs8KeyAndTheTrustBundle() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsMaterial material = ca.node("n1").load();
    assertThat(material.certificateChain()).hasSize(1);
    assertThat(material.trustedCertificates()).hasSize(1);
    assertThat(RatisCluster.grpcTlsConfig(material).getMtlsEnabled()).isTrue();
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles n1 = ca.node("n1");
    TlsFiles n2 = ca.node("n2");
    assertThatThrownBy(() -> new TlsFiles(n1.certificateChain(), n2.privateKey(), n1.trustBundle()).load())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the first certificate");
  }

  @Test
  void pkcs1AndEncryptedKeysAreRefusedWithTheConversionCommand() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles n1 = ca.node("n1");
    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> new TlsFiles(n1.certificateChain(), pkcs1, n1.trustBundle()).load())
        .hasMessageContaining("not PKCS#8").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    Path encrypted = dir.resolve("enc.key");
    Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThatThrownBy(() -> new TlsFiles(n1.certificateChain(), encrypted, n1.trustBundle()).load())
        .hasMessageContaining("is encrypted");
  }

  @Test
  void missingOrEmptyFilesAreNamed() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("ca"), "ca");
    TlsFiles n1 = ca.node("n1");
    Path missing = dir.resolve("missing.crt");
    assertThatThrownBy(() -> new TlsFiles(missing, n1.privateKey(), n1.trustBundle()).load())
        .hasMessageContaining("certificate chain " + missing + ": cannot read");
    Path empty = Files.writeString(dir.resolve("empty.crt"), "");
    assertThatThrownBy(() -> new TlsFiles(n1.certificateChain(), n1.privateKey(), empty).load())
        .hasMessageContaining("trust bundle " + empty);
  }
}
