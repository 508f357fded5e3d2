package io.pachyderm.cli;

import io.pachyderm.cluster.tls.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca} options of the node and client
 * commands: all three or none. Option descriptions live here so the two commands say the same.
 */
final class TlsOptions {
  static final String CERT_DESCRIPTION = "PEM certificate chain of this end (mutual TLS; with --tls-key and --tls-ca).";
  static final String KEY_DESCRIPTION = "PEM private key (unencrypted PKCS#8) of --tls-cert.";
  static final String CA_DESCRIPTION = "PEM trust bundle: the CA certificates the other end's certificate must lead to.";

  private TlsOptions() {}

  /**
   * The files, or null when no option was given.
   *
   * @throws IllegalArgumentException when only some were given, or a file cannot be used
   */
  static TlsFiles files(Path certificate, Path key, Path ca) {
    if (certificate == null && key == null && ca == null) {
      return null;
    }
    List<String> missing = new ArrayList<>();
    if (certificate == null) {
      missing.add("--tls-cert");
    }
    if (key == null) {
      missing.add("--tls-key");
    }
    if (ca == null) {
      missing.add("--tls-ca");
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together; missing "
          + String.join(", ", missing));
    }
    return new TlsFiles(certificate, key, ca);
  }
}
