package io.pachyderm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.Transport;
import io.pachyderm.cluster.internal.Tokens;
import io.pachyderm.cluster.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options of every command that talks to a cluster. Invalid values throw {@link IllegalArgumentException}. */
final class ClientOptions {
  /** The client side of Ratis; GrpcUtil warns when closing a channel with a request still out. */
  private static final List<String> RATIS_CLIENT_LOGGERS = List.of("org.apache.ratis.client",
      "org.apache.ratis.grpc.client", "org.apache.ratis.netty.client", "org.apache.ratis.grpc.GrpcUtil");

  @Option(names = "--peers", required = true, paramLabel = "ID=HOST:PORT,...",
      description = "The cluster's nodes (all of them, or at least a majority), "
          + "e.g. n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003.")
  String peers;

  @Option(names = "--cluster-id", paramLabel = "UUID", description = {"The cluster's id (a node's <data>/cluster-id). "
      + "Only needed when --peers is not the list the cluster was started with (a subset): by default it is "
      + "derived from --peers, as the nodes derive theirs."})
  String clusterId;

  @Option(names = "--transport", defaultValue = "grpc", paramLabel = "grpc|netty",
      description = "Must match the nodes'. Default: ${DEFAULT-VALUE}.")
  Transport transport;

  @Option(names = "--timeout-ms", defaultValue = "15000", paramLabel = "MS",
      description = "Per request, retries across leader changes included. Default: ${DEFAULT-VALUE}.")
  long timeoutMs;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = TlsOptions.CERT_DESCRIPTION)
  Path tlsCertificate;

  @Option(names = "--tls-key", paramLabel = "PEM", description = TlsOptions.KEY_DESCRIPTION)
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = TlsOptions.CA_DESCRIPTION)
  Path tlsCa;

  @Option(names = "--token-file", paramLabel = "FILE", description = {"Send the token in FILE (its one line) with "
      + "every request, for nodes started with --token-file. Without TLS it travels in plaintext."})
  Path tokenFile;

  PachydermClient connect() {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("--timeout-ms must be >= 1, was " + timeoutMs);
    }
    PachydermClient.Builder builder = builder(parsePeers(peers), transport, Duration.ofMillis(timeoutMs),
        TlsOptions.files(tlsCertificate, tlsKey, tlsCa));
    if (tokenFile != null) {
      builder.token(Tokens.read(tokenFile));
    }
    if (clusterId != null) {
      try {
        builder.clusterId(java.util.UUID.fromString(clusterId));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--cluster-id must be a UUID (as in a node's <data>/cluster-id), was '"
            + clusterId + "'");
      }
    }
    return builder.build();
  }

  /** Every client the launcher makes comes from here. */
  static PachydermClient connect(List<Peer> peers, Transport transport, Duration requestTimeout) {
    return connect(peers, transport, requestTimeout, null);
  }

  /** As above, with mutual TLS when {@code tls} is not null. */
  static PachydermClient connect(List<Peer> peers, Transport transport, Duration requestTimeout, TlsFiles tls) {
    return builder(peers, transport, requestTimeout, tls).build();
  }

  private static PachydermClient.Builder builder(List<Peer> peers, Transport transport, Duration requestTimeout,
                                                 TlsFiles tls) {
    quietRatisClientLogs();
    PachydermClient.Builder builder = PachydermClient.builder(peers).transport(transport).requestTimeout(requestTimeout);
    if (tls != null) {
      builder.tls(tls);
    }
    return builder;
  }

  /**
   * Ratis' client logs every failed attempt it then retries (NotLeaderException on the first
   * try, stale reads before an election) at ERROR with a stack trace. The launcher reports the
   * final outcome itself in one line, so these would only bury it.
   */
  private static void quietRatisClientLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      for (String name : RATIS_CLIENT_LOGGERS) {
        logback.getLogger(name).setLevel(Level.OFF);
      }
    }
  }

  /** {@link Peer#parseList}, its complaint naming the option. */
  static List<Peer> parsePeers(String spec) {
    try {
      return Peer.parseList(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid --peers '" + spec + "': " + e.getMessage(), e);
    }
  }
}
