package io.pachyderm.cluster.tls;

import java.io.Closeable;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS material read from {@link TlsFiles}: this end's certificate chain and key, and the CAs it
 * trusts. Thread-safe. {@link #keyManager()} and {@link #trustManager()} are what clients and nodes
 * hand to Ratis' gRPC transport (always as mutual TLS).
 *
 * <p><b>Reload.</b> The key and trust managers handed to Ratis read the material current at each
 * handshake, so {@link #reloadIfChanged} (or {@link #reloadEvery}, which calls it on a timer)
 * takes a rotated certificate, key or trust bundle into use for new connections without a
 * restart. Connections already open keep the material they were made with. A replacement that
 * fails the checks of {@link TlsFiles#load()} (or the caller's own check) is refused, logged at
 * WARN naming the file, and the material in use stays; it is tried again once the files change.
 */
public final class TlsMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
  private static final char[] NO_PASSWORD = new char[0];
  /** How often {@link #reloadEvery} looks at the files unless told otherwise. */
  public static final Duration RELOAD_INTERVAL_DEFAULT = Duration.ofSeconds(5);
  private static final Duration RELOAD_INTERVAL_MIN = Duration.ofMillis(100);

  /**
   * One generation of material. The key manager answers with the generation in its alias, so a
   * handshake that chose an alias before a reload still gets that generation's chain and key
   * together, never the old chain with the new key.
   */
  private record Loaded(long generation, List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trusted,
                        X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager, byte[] fingerprint) {
    String alias() {
      return "pachyderm-" + generation;
    }
  }

  /** What one {@link #reloadIfChanged} call did. */
  public sealed interface Reload {
    /** The files hold what is in use (or what was last refused). */
    record Unchanged() implements Reload {}

    /** The files changed and their material is now in use for new connections. */
    record Reloaded(X509Certificate certificate) implements Reload {}

    /** The files changed but did not pass; the material in use stays. {@code reason} names the file. */
    record Refused(String reason) implements Reload {}
  }

  private final TlsFiles files;
  private final LiveKeyManager keyManager = new LiveKeyManager();
  private final LiveTrustManager trustManager = new LiveTrustManager();
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  private volatile Loaded current;
  /** The generation before {@link #current}, for handshakes that chose its alias just before a reload. */
  private volatile Loaded previous;
  /** Fingerprint of the files last looked at (in use or refused); guarded by this. */
  private byte[] seen;

  private TlsMaterial(TlsFiles files, Loaded loaded) {
    this.files = files;
    this.current = loaded;
    this.previous = loaded;
    this.seen = loaded.fingerprint();
  }

  /** Reads the files (fingerprint first, so a change during the read is seen by the next reload). */
  static TlsMaterial load(TlsFiles files) {
    return new TlsMaterial(files, read(files, 1));
  }

  private static Loaded read(TlsFiles files, long generation) {
    byte[] fingerprint = fingerprint(files);
    List<X509Certificate> chain = TlsFiles.certificates(files.certificateChain(), "certificate chain");
    PrivateKey key = TlsFiles.privateKey(files.privateKey());
    List<X509Certificate> trusted = TlsFiles.certificates(files.trustBundle(), "trust bundle");
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
      return new Loaded(generation, chain, key, trusted, (X509ExtendedKeyManager) kmf.getKeyManagers()[0],
          (X509ExtendedTrustManager) tmf.getTrustManagers()[0], fingerprint);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("TLS files " + files + ": cannot build key and trust managers: " + e, e);
    }
  }

  /** SHA-256 over the three files' bytes; an unreadable file counts as its error text. */
  private static byte[] fingerprint(TlsFiles files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path file : List.of(files.certificateChain(), files.privateKey(), files.trustBundle())) {
        try {
          sha.update(Files.readAllBytes(file));
        } catch (java.io.IOException e) {
          sha.update(String.valueOf(e).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        sha.update((byte) 0);
      }
      return sha.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
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

  /**
   * Reads the files again if their contents changed since they were last looked at. A new chain,
   * key or trust bundle passes the checks of {@link TlsFiles#load()} and then {@code check} (which
   * throws IllegalArgumentException to refuse the new leaf certificate) before it is used.
   */
  public synchronized Reload reloadIfChanged(Consumer<X509Certificate> check) {
    byte[] now = fingerprint(files);
    if (Arrays.equals(now, seen)) {
      return new Reload.Unchanged();
    }
    seen = now;
    Loaded next;
    try {
      next = read(files, current.generation() + 1);
      check.accept(next.chain().get(0));
    } catch (IllegalArgumentException e) {
      refusals.incrementAndGet();
      LOG.warn("TLS: refusing the changed files ({}); still using certificate serial {}: {}", files,
          current.chain().get(0).getSerialNumber().toString(16), e.getMessage());
      return new Reload.Refused(e.getMessage());
    }
    previous = current;
    current = next;
    reloads.incrementAndGet();
    X509Certificate leaf = next.chain().get(0);
    LOG.info("TLS: reloaded {}: certificate {} serial {} valid until {}", files, leaf.getSubjectX500Principal(),
        leaf.getSerialNumber().toString(16), leaf.getNotAfter().toInstant());
    return new Reload.Reloaded(leaf);
  }

  /**
   * Calls {@link #reloadIfChanged} every {@code interval} on a daemon thread until the returned
   * handle is closed.
   *
   * @param interval at least 100 ms; {@link #RELOAD_INTERVAL_DEFAULT} suits most uses
   */
  public Closeable reloadEvery(Duration interval, Consumer<X509Certificate> check) {
    Objects.requireNonNull(check, "check");
    if (interval.compareTo(RELOAD_INTERVAL_MIN) < 0) {
      throw new IllegalArgumentException("TLS reload interval must be >= " + RELOAD_INTERVAL_MIN.toMillis()
          + " ms: " + interval);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pachyderm-tls-reload");
      t.setDaemon(true);
      return t;
    });
    long periodMs = interval.toMillis();
    timer.scheduleWithFixedDelay(() -> {
      try {
        reloadIfChanged(check);
      } catch (RuntimeException e) {
        // The timer must survive anything, or rotation would silently stop working.
        LOG.warn("TLS: checking {} for changes failed", files, e);
      }
    }, periodMs, periodMs, TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  /** This end's certificate followed by its intermediates, as in use now. */
  public List<X509Certificate> certificateChain() {
    return current.chain();
  }

  /** The CA certificates the other end's chain must lead to, as in use now. */
  public List<X509Certificate> trustedCertificates() {
    return current.trusted();
  }

  public TlsFiles files() {
    return files;
  }

  /** Reloads that took effect since this material was loaded. */
  public long reloads() {
    return reloads.get();
  }

  /** Changed files that were refused since this material was loaded. */
  public long reloadsRefused() {
    return refusals.get();
  }

  /**
   * The key manager that presents this end's certificate: it answers with the material current at
   * each handshake, so a reload takes effect for new connections. The same instance for the
   * material's lifetime.
   */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * The trust manager that accepts a peer whose chain the current trust bundle verifies (read at
   * each handshake). The same instance for the material's lifetime.
   */
  public X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  @Override
  public String toString() {
    return "TlsMaterial{" + current.chain().get(0).getSubjectX500Principal() + ", files=" + files + "}";
  }

  /** The generation an alias names: the current one or the one before it. */
  private Loaded byAlias(String alias) {
    Loaded c = current;
    if (c.alias().equals(alias)) {
      return c;
    }
    Loaded p = previous;
    return p.alias().equals(alias) ? p : null;
  }

  /**
   * Chooses with the current generation's PKIX manager, answers with that generation's chain and
   * key. As a client it ignores the CA names the server sends: a server's TLS library may keep
   * the list it had when it started (OpenSSL does), so after a CA is added to a node's trust
   * bundle a client of that CA would otherwise send no certificate at all. This end has one
   * certificate; the server's trust manager, which does see the reloaded bundle, decides.
   */
  private final class LiveKeyManager extends X509ExtendedKeyManager {
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      Loaded c = current;
      return c.keyManager().getClientAliases(keyType, null) == null ? null : new String[] {c.alias()};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      Loaded c = current;
      return c.keyManager().chooseClientAlias(keyType, null, socket) == null ? null : c.alias();
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      Loaded c = current;
      return c.keyManager().chooseEngineClientAlias(keyType, null, engine) == null ? null : c.alias();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      Loaded c = current;
      return c.keyManager().getServerAliases(keyType, issuers) == null ? null : new String[] {c.alias()};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      Loaded c = current;
      return c.keyManager().chooseServerAlias(keyType, issuers, socket) == null ? null : c.alias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      Loaded c = current;
      return c.keyManager().chooseEngineServerAlias(keyType, issuers, engine) == null ? null : c.alias();
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Loaded l = byAlias(alias);
      return l == null ? null : l.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Loaded l = byAlias(alias);
      return l == null ? null : l.key();
    }
  }

  /** Checks each handshake against the trust bundle current at that moment. */
  private final class LiveTrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trustManager().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      current.trustManager().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trustManager().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      current.trustManager().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      current.trustManager().checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      current.trustManager().checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.trustManager().getAcceptedIssuers();
    }
  }
}
