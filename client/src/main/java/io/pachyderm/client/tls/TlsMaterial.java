package io.pachyderm.client.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * TLS material read from {@link TlsFiles}: this end's certificate chain and key, and the CAs it
 * trusts. Immutable and thread-safe. {@link #grpcTlsConfig()} is how clients and nodes hand it to
 * Ratis; it is always mutual TLS.
 */
public final class TlsMaterial {
  private static final char[] NO_PASSWORD = new char[0];

  private final List<X509Certificate> chain;
  private final List<X509Certificate> trusted;
  private final KeyManager keyManager;
  private final TrustManager trustManager;
  private final TlsFiles files;

  private TlsMaterial(List<X509Certificate> chain, List<X509Certificate> trusted, KeyManager keyManager,
                      TrustManager trustManager, TlsFiles files) {
    this.chain = chain;
    this.trusted = trusted;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.files = files;
  }

  static TlsMaterial of(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted, TlsFiles files) {
    requireKeyMatches(chain.get(0), key, files);
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("pachyderm", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(keys, NO_PASSWORD);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        trust.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      return new TlsMaterial(chain, trusted, kmf.getKeyManagers()[0], tmf.getTrustManagers()[0], files);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("TLS files " + files + ": cannot build key and trust managers: " + e, e);
    }
  }

  /** A signature made with the key must verify with the certificate's public key. */
  private static void requireKeyMatches(X509Certificate certificate, PrivateKey key, TlsFiles files) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();
    };
    byte[] probe = "pachyderm key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new IllegalArgumentException("private key " + files.privateKey() + " does not belong to the first "
          + "certificate of " + files.certificateChain() + " (" + certificate.getSubjectX500Principal() + ")");
    }
  }

  /** This end's certificate followed by its intermediates. */
  public List<X509Certificate> certificateChain() {
    return chain;
  }

  /** The CA certificates the other end's chain must lead to. */
  public List<X509Certificate> trustedCertificates() {
    return trusted;
  }

  public TlsFiles files() {
    return files;
  }

  /** Mutual TLS for Ratis' gRPC transport: present this certificate, require one the bundle trusts. */
  public GrpcTlsConfig grpcTlsConfig() {
    return new GrpcTlsConfig(keyManager, trustManager, true);
  }

  @Override
  public String toString() {
    return "TlsMaterial{" + chain.get(0).getSubjectX500Principal() + ", files=" + files + "}";
  }
}
