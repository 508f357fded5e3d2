package io.pachyderm.node;

import io.pachyderm.client.tls.TlsFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: it issues EC P-256 certificates, valid for a day,
 * and writes each as the three PEM files {@link TlsFiles} reads (chain, PKCS#8 key, trust bundle
 * holding this CA).
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;

  private TestCertificates(Path dir, String name) {
    this.dir = dir;
    this.name = name;
    this.caKeys = newKeyPair();
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=" + name);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(60)),
        Date.from(now.plus(Duration.ofDays(1))), subject, caKeys.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.caCertificate = sign(b);
  }

  /** A new CA whose files go under {@code dir/name}. */
  public static TestCertificates authority(Path dir, String name) {
    return new TestCertificates(dir.resolve(name), name);
  }

  /** A node certificate: URI SAN pachyderm:peer:{id}, and the loopback address as its host. */
  public TlsFiles node(String id) {
    return issue(id, "CN=" + id, List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:peer:" + id),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")));
  }

  /** A client certificate: a common name and no Pachyderm role. */
  public TlsFiles client(String commonName) {
    return issue("client-" + commonName, "CN=" + commonName, List.of());
  }

  /** A client certificate with a client identity: URI SAN pachyderm:client:{name}. */
  public TlsFiles namedClient(String name) {
    return issue("named-client-" + name, "CN=" + name,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:client:" + name)));
  }

  /** An operator certificate: URI SAN pachyderm:admin:{name}. */
  public TlsFiles admin(String adminName) {
    return issue("admin-" + adminName, "CN=" + adminName,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:admin:" + adminName)));
  }

  /** A certificate with exactly these subject alternative names. */
  public TlsFiles issue(String fileStem, String subject, List<GeneralName> altNames) {
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCertificate, serial(),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject),
        keys.getPublic());
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      if (!altNames.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(altNames.toArray(new GeneralName[0])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    X509Certificate certificate = sign(b);
    try {
      Files.createDirectories(dir);
      Path chain = dir.resolve(fileStem + ".crt");
      Path key = dir.resolve(fileStem + ".key");
      Path ca = dir.resolve("ca.crt");
      Files.writeString(chain, pem(List.of(certificate)), StandardCharsets.US_ASCII);
      Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
      Files.writeString(ca, pem(List.of(caCertificate)), StandardCharsets.US_ASCII);
      return new TlsFiles(chain, key, ca);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "TestCertificates{" + name + "}";
  }

  private X509Certificate sign(X509v3CertificateBuilder b) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a test certificate", e);
    }
  }

  private static String pem(List<X509Certificate> certificates) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        writer.writeObject(c);
      }
    }
    return out.toString();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
