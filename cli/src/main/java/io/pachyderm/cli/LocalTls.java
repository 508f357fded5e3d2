package io.pachyderm.cli;

import io.pachyderm.client.Peer;
import io.pachyderm.client.tls.TlsFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
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
 * A throwaway certificate authority for a local cluster ({@code cluster start --tls}), in
 * {@code DIR/tls}: {@code ca.crt}; {@code nX.crt}/{@code nX.key} per node (SAN
 * {@code URI:pachyderm:peer:nX} and the node's IP); {@code client.crt}/{@code client.key} (SAN
 * {@code URI:pachyderm:client:local}); {@code admin.crt}/{@code admin.key} (SAN
 * {@code URI:pachyderm:admin:local}); and {@code policy-sample.txt}, an authorization policy for
 * those identities that a node takes with {@code --auth-policy} (not used unless given).
 * EC P-256, valid 30 days; the CA's key is not kept, so nothing else can be signed with it. Key
 * files are readable by their owner only where the file system allows. Not thread-safe.
 */
final class LocalTls {
  static final String DIR_NAME = "tls";
  private static final Duration VALIDITY = Duration.ofDays(30);
  private static final String CA_FILE = "ca.crt";
  private static final String CLIENT = "client";
  private static final String ADMIN = "admin";
  static final String POLICY_SAMPLE = "policy-sample.txt";
  /** The identity of client.crt, as a policy names it. */
  static final String CLIENT_IDENTITY = "local";

  private final Path dir;

  private LocalTls(Path dir) {
    this.dir = dir;
  }

  /** The certificates of the cluster in {@code clusterDir}, if it was started with --tls. */
  static Optional<LocalTls> existing(Path clusterDir) {
    Path dir = clusterDir.resolve(DIR_NAME);
    return Files.exists(dir.resolve(CLIENT + ".crt")) ? Optional.of(new LocalTls(dir)) : Optional.empty();
  }

  /** Removes the certificates a --tls start left in {@code clusterDir} (only the files this class writes). */
  static void remove(Path clusterDir, List<Peer> peers) {
    Path dir = clusterDir.resolve(DIR_NAME);
    List<String> names = new ArrayList<>(List.of(CA_FILE, CLIENT + ".crt", CLIENT + ".key", ADMIN + ".crt",
        ADMIN + ".key", POLICY_SAMPLE));
    for (Peer p : peers) {
      names.add(p.id() + ".crt");
      names.add(p.id() + ".key");
    }
    try {
      for (String name : names) {
        Files.deleteIfExists(dir.resolve(name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the old certificates in " + dir, e);
    }
  }

  /** A new CA and certificates for {@code peers}, a client and an admin, replacing any earlier ones. */
  static LocalTls create(Path clusterDir, List<Peer> peers) {
    Path dir = clusterDir.resolve(DIR_NAME);
    try {
      Files.createDirectories(dir);
      KeyPair caKeys = newKeyPair();
      X500Name caName = new X500Name("CN=pachyderm local cluster CA " + Instant.now());
      X509v3CertificateBuilder ca = builder(caName, caName, caKeys);
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCertificate = sign(ca, caKeys.getPrivate());
      Files.writeString(dir.resolve(CA_FILE), pem(caCertificate), StandardCharsets.US_ASCII);
      for (Peer p : peers) {
        issue(dir, p.id(), caName, caKeys.getPrivate(), List.of(
            new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:peer:" + p.id()),
            hostName(p.host())));
      }
      issue(dir, CLIENT, caName, caKeys.getPrivate(),
          List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:client:" + CLIENT_IDENTITY)));
      issue(dir, ADMIN, caName, caKeys.getPrivate(),
          List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "pachyderm:admin:local")));
      Files.writeString(dir.resolve(POLICY_SAMPLE), """
          # A sample authorization policy for this cluster's certificates (node --auth-policy FILE).
          # identities  operations                         ecosystems
          local         call,query,history,dead-letters    *
          local         status,admin                       *
          """, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write certificates to " + dir, e);
    }
    return new LocalTls(dir);
  }

  TlsFiles node(String id) {
    return files(id);
  }

  TlsFiles client() {
    return files(CLIENT);
  }

  TlsFiles admin() {
    return files(ADMIN);
  }

  /** The client options to pass to call, query, status, ... for this cluster. */
  static List<String> options(TlsFiles files) {
    return List.of("--tls-cert", files.certificateChain().toString(), "--tls-key", files.privateKey().toString(),
        "--tls-ca", files.trustBundle().toString());
  }

  private TlsFiles files(String name) {
    return new TlsFiles(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), dir.resolve(CA_FILE));
  }

  private static GeneralName hostName(String host) {
    boolean ipLiteral = host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":");
    return new GeneralName(ipLiteral ? GeneralName.iPAddress : GeneralName.dNSName,
        host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
  }

  private static void issue(Path dir, String name, X500Name issuer, PrivateKey caKey, List<GeneralName> altNames)
      throws IOException {
    KeyPair keys = newKeyPair();
    X509v3CertificateBuilder b = builder(issuer, new X500Name("CN=" + name), keys);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    if (!altNames.isEmpty()) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames.toArray(new GeneralName[0])));
    }
    Files.writeString(dir.resolve(name + ".crt"), pem(sign(b, caKey)), StandardCharsets.US_ASCII);
    Path key = dir.resolve(name + ".key");
    Files.deleteIfExists(key);
    Files.createFile(key);
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the directory's ACLs apply.
    }
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey caKey) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }

  private static String pem(X509Certificate certificate) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    }
    return out.toString();
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC key pair generator in this JVM", e);
    }
  }
}
