package io.pachyderm.cluster.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Where a node's or client's TLS identity and trust live, as PEM files:
 * <ul>
 *   <li>{@code certificateChain}: this end's certificate first, then any intermediates;</li>
 *   <li>{@code privateKey}: the certificate's key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY});
 *       RSA or EC. A PKCS#1 key ({@code BEGIN RSA PRIVATE KEY}) converts with
 *       {@code openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem};</li>
 *   <li>{@code trustBundle}: the CA certificates the other end's chain must lead to.</li>
 * </ul>
 * Immutable. {@link #load()} reads the files; {@link TlsMaterial#reloadIfChanged} reads them again
 * when they change (nodes and clients do that every few seconds), so a rotated certificate needs no
 * restart.
 */
public record TlsFiles(Path certificateChain, Path privateKey, Path trustBundle) {
  public TlsFiles {
    Objects.requireNonNull(certificateChain, "certificate chain");
    Objects.requireNonNull(privateKey, "private key");
    Objects.requireNonNull(trustBundle, "trust bundle");
  }

  /**
   * Reads and checks the three files: each must exist and hold what it should, and the key must
   * belong to the chain's first certificate.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public TlsMaterial load() {
    return TlsMaterial.load(this);
  }

  static List<X509Certificate> certificates(Path file, String what) {
    byte[] bytes = read(file, what);
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (var c : factory.generateCertificates(new java.io.ByteArrayInputStream(bytes))) {
        certificates.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(what + " " + file + ": not PEM X.509 certificates: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(what + " " + file + ": holds no certificate");
    }
    return List.copyOf(certificates);
  }

  static PrivateKey privateKey(Path file) {
    String pem = new String(read(file, "private key"), StandardCharsets.US_ASCII);
    if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException("private key " + file + ": is encrypted; give an unencrypted PKCS#8 key "
          + "(openssl pkcs8 -topk8 -nocrypt) and protect it with file permissions");
    }
    if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
      throw new IllegalArgumentException("private key " + file + ": is PKCS#1/SEC1, not PKCS#8; convert it with "
          + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem");
    }
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("private key " + file + ": no '" + begin + "' block");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("private key " + file + ": bad base64: " + e.getMessage(), e);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    // PKCS#8 names its algorithm inside; trying the two kinds a certificate key can be is simpler
    // than parsing that identifier.
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException wrongAlgorithm) {
        // try the next one
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("private key " + file + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException("private key " + file + ": not an RSA, EC or Ed25519 PKCS#8 key");
  }

  private static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " " + file + ": cannot read: " + e, e);
    }
  }
}
