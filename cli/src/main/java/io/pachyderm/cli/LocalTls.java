package io.pachyderm.cli;

import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.tls.TlsFiles;
import io.pachyderm.node.security.ThrowawayCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The throwaway certificates of a local cluster ({@code cluster start --tls}), in {@code DIR/tls},
 * made by a {@link ThrowawayCa}: {@code ca.crt}; {@code nX.crt}/{@code nX.key} per node (SAN
 * {@code URI:pachyderm:peer:nX} and the node's host); {@code client.crt}/{@code client.key} (SAN
 * {@code URI:pachyderm:client:local}); {@code admin.crt}/{@code admin.key} (SAN
 * {@code URI:pachyderm:admin:local}); and {@code policy-sample.txt}, an authorization policy for
 * those identities that a node takes with {@code --auth-policy} (not used unless given). Valid
 * {@link ThrowawayCa#VALIDITY}; the CA's key is not kept, so nothing else can be signed with it.
 * Not thread-safe.
 */
final class LocalTls {
  static final String DIR_NAME = "tls";
  private static final String CLIENT = "client";
  private static final String ADMIN = "admin";
  static final String POLICY_SAMPLE = "policy-sample.txt";
  /** The identity of client.crt, as a policy names it. */
  static final String CLIENT_IDENTITY = "local";
  private static final String ADMIN_NAME = "local";

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
    List<String> names = new ArrayList<>(List.of(ThrowawayCa.CA_FILE, CLIENT + ".crt", CLIENT + ".key",
        ADMIN + ".crt", ADMIN + ".key", POLICY_SAMPLE));
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
    ThrowawayCa ca = ThrowawayCa.create(clusterDir.resolve(DIR_NAME), "pachyderm local cluster CA " + Instant.now());
    for (Peer p : peers) {
      ca.node(p.id(), List.of(p.host()));
    }
    ca.issue(CLIENT, CLIENT, List.of(ThrowawayCa.AltName.client(CLIENT_IDENTITY)));
    ca.issue(ADMIN, ADMIN, List.of(ThrowawayCa.AltName.admin(ADMIN_NAME)));
    try {
      Files.writeString(ca.dir().resolve(POLICY_SAMPLE), """
          # A sample authorization policy for this cluster's certificates (node --auth-policy FILE).
          # identities  operations                         ecosystems
          local         call,query,history,dead-letters    *
          local         status,admin                       *
          """, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + ca.dir().resolve(POLICY_SAMPLE), e);
    }
    return new LocalTls(ca.dir());
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
    return new TlsFiles(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), dir.resolve(ThrowawayCa.CA_FILE));
  }
}
