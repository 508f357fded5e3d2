package io.pachyderm.node.security;

import io.pachyderm.cluster.tls.TlsFiles;
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
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
import org.bouncycastle.util.IPAddress;

/**
 * A throwaway certificate authority: a new CA whose certificate goes to {@code dir/ca.crt} and
 * whose key lives only in this object, so nothing can be signed with it once the object is gone.
 * It issues node, client and operator certificates as the three PEM files {@link TlsFiles} reads
 * ({@code dir/<stem>.crt}, {@code dir/<stem>.key} as unencrypted PKCS#8, and {@code ca.crt} as the
 * trust bundle). For a local cluster ({@code cluster start --tls}), a chaos run, a benchmark and
 * the tests; a real deployment brings its own CA.
 *
 * <p>EC P-256 keys, SHA-256 with ECDSA, valid from five minutes before creation (clock skew
 * between processes) for {@link #VALIDITY}. Every leaf may serve and connect (extended key usage
 * serverAuth and clientAuth); its roles come from the URI subject alternative names given, as
 * {@link Identities} reads them. Key files are readable by their owner only where the file system
 * supports POSIX permissions. Needs Bouncy Castle ({@code org.bouncycastle:bcpkix-jdk18on}) on the
 * classpath: an optional dependency of this module, which a node that is given its certificates
 * never needs.
 *
 * <p>Not thread-safe: issue from one thread.
 */
public final class ThrowawayCa {
  /** How long the CA and every certificate it issues are valid. */
  public static final Duration VALIDITY = Duration.ofDays(30);
  /** The trust bundle's file name in the CA's directory. */
  public static final String CA_FILE = "ca.crt";
  private static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;

  private ThrowawayCa(Path dir, String name, KeyPair caKeys, X509Certificate caCertificate) {
    this.dir = dir;
    this.name = name;
    this.caKeys = caKeys;
    this.caCertificate = caCertificate;
  }

  /**
   * A new CA with common name {@code name}; writes {@code dir/ca.crt} (replacing one there) and
   * creates {@code dir} if needed.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   * @throws UncheckedIOException if the directory or the file cannot be written
   */
  public static ThrowawayCa create(Path dir, String name) {
    Objects.requireNonNull(dir, "dir");
    requireText(name, "CA name");
    KeyPair keys = newKeyPair();
    X500Name subject = commonName(name);
    X509v3CertificateBuilder b = builder(subject, subject, keys);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the CA's extensions", e);
    }
    X509Certificate certificate = sign(b, keys);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(CA_FILE), pem(certificate), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CA certificate to " + dir.resolve(CA_FILE), e);
    }
    return new ThrowawayCa(dir, name, keys, certificate);
  }

  /** Where the certificates go. */
  public Path dir() {
    return dir;
  }

  /** {@code dir/ca.crt}: the trust bundle every certificate issued here refers to. */
  public Path trustBundle() {
    return dir.resolve(CA_FILE);
  }

  /**
   * A node certificate in {@code <id>.crt}/{@code <id>.key}: common name {@code id}, SAN
   * {@code URI:pachyderm:peer:<id>}, and each host as an IP SAN (an IP literal) or a DNS SAN.
   * A node refuses to start with a certificate that does not name its own host.
   *
   * @throws IllegalArgumentException if the id is blank or no host is given
   */
  public TlsFiles node(String id, List<String> hosts) {
    requireText(id, "node id");
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("node " + id + ": a node certificate needs at least one host");
    }
    List<AltName> names = new ArrayList<>();
    names.add(AltName.peer(id));
    for (String host : hosts) {
      names.add(AltName.host(host));
    }
    return issue(id, id, names);
  }

  /** {@link #node(String, List)} for a node on this machine: hosts 127.0.0.1 and localhost. */
  public TlsFiles node(String id) {
    return node(id, List.of("127.0.0.1", "localhost"));
  }

  /** A client certificate in {@code client-<name>.crt}/{@code .key}: common name {@code name}, no SAN, no role. */
  public TlsFiles client(String name) {
    requireText(name, "client name");
    return issue("client-" + name, name, List.of());
  }

  /**
   * A client certificate with an identity in {@code named-client-<name>.crt}/{@code .key}: SAN
   * {@code URI:pachyderm:client:<name>}, the name an authorization policy gives rights to.
   */
  public TlsFiles namedClient(String name) {
    requireText(name, "client name");
    return issue("named-client-" + name, name, List.of(AltName.client(name)));
  }

  /** An operator certificate in {@code admin-<name>.crt}/{@code .key}: SAN {@code URI:pachyderm:admin:<name>}. */
  public TlsFiles admin(String name) {
    requireText(name, "admin name");
    return issue("admin-" + name, name, List.of(AltName.admin(name)));
  }

  /**
   * A certificate with common name {@code commonName} and exactly {@code altNames} as its subject
   * alternative names (none: no SAN extension), written to {@code <fileStem>.crt} and
   * {@code <fileStem>.key}, replacing files of that stem.
   *
   * @throws IllegalArgumentException if the stem is blank or not a plain file name
   * @throws UncheckedIOException if the files cannot be written
   */
  public TlsFiles issue(String fileStem, String commonName, List<AltName> altNames) {
    requireText(fileStem, "file stem");
    if (fileStem.contains("/") || fileStem.contains("\\") || fileStem.startsWith(".")) {
      throw new IllegalArgumentException("file stem must be a plain file name: '" + fileStem + "'");
    }
    requireText(commonName, "common name");
    KeyPair keys = newKeyPair();
    X509v3CertificateBuilder b = builder(X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded()),
        commonName(commonName), keys);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      if (!altNames.isEmpty()) {
        GeneralName[] names = new GeneralName[altNames.size()];
        for (int i = 0; i < names.length; i++) {
          names[i] = altNames.get(i).toGeneralName();
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the extensions of " + fileStem, e);
    }
    X509Certificate certificate = sign(b, caKeys);
    Path chain = dir.resolve(fileStem + ".crt");
    Path key = dir.resolve(fileStem + ".key");
    try {
      Files.writeString(chain, pem(certificate), StandardCharsets.US_ASCII);
      writeOwnerOnly(key, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + chain + " and its key", e);
    }
    return new TlsFiles(chain, key, trustBundle());
  }

  @Override
  public String toString() {
    return "ThrowawayCa{" + name + " in " + dir + "}";
  }

  /**
   * A subject alternative name. Roles are URIs ({@link #peer}, {@link #admin}); hosts are IP or
   * DNS names ({@link #host}). Immutable.
   */
  public sealed interface AltName {
    /** A URI SAN, e.g. {@code pachyderm:peer:n1}. */
    record Uri(String uri) implements AltName {
      public Uri {
        requireText(uri, "URI");
      }
    }

    /** A DNS SAN; {@code *.} wildcards are written as given. */
    record Dns(String name) implements AltName {
      public Dns {
        requireText(name, "DNS name");
      }
    }

    /** An IP address SAN, an IPv4 or IPv6 literal (IPv6 without brackets). */
    record Ip(String address) implements AltName {
      public Ip {
        requireText(address, "IP address");
        if (!IPAddress.isValid(address)) {
          throw new IllegalArgumentException("not an IP address literal: '" + address + "'");
        }
      }
    }

    /** {@code URI:pachyderm:peer:<id>}: the node {@code id}. */
    static AltName peer(String id) {
      return new Uri(Identities.PEER_URI_PREFIX + id);
    }

    /** {@code URI:pachyderm:admin:<name>}: an operator. */
    static AltName admin(String name) {
      return new Uri(Identities.ADMIN_URI_PREFIX + name);
    }

    /** {@code URI:pachyderm:client:<name>}: a client identity an authorization policy names. */
    static AltName client(String name) {
      return new Uri(Identities.CLIENT_URI_PREFIX + name);
    }

    /** A host as a peer or client dials it: an IP SAN for an IP literal ({@code [::1]} too), else a DNS SAN. */
    static AltName host(String host) {
      requireText(host, "host");
      String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      return IPAddress.isValid(bare) ? new Ip(bare) : new Dns(host);
    }

    private GeneralName toGeneralName() {
      // Pattern switches are a preview in Java 17, the release this project builds for.
      if (this instanceof Uri u) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, u.uri());
      }
      if (this instanceof Dns d) {
        return new GeneralName(GeneralName.dNSName, d.name());
      }
      return new GeneralName(GeneralName.iPAddress, ((Ip) this).address());
    }
  }

  private static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank: '" + value + "'");
    }
  }

  private static X500Name commonName(String cn) {
    // The builder escapes what needs escaping: a name with a comma stays one common name.
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
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

  /** Creates the file empty and owner-only first, so the key is never readable by others, not even briefly. */
  private static void writeOwnerOnly(Path key, String content) throws IOException {
    Files.deleteIfExists(key);
    Files.createFile(key);
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the directory's ACLs apply.
    }
    Files.writeString(key, content, StandardCharsets.US_ASCII);
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
