package io.pachyderm.cli;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.client.Peer;
import io.pachyderm.client.Transport;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of every command that talks to a cluster. Invalid values throw {@link IllegalArgumentException}. */
final class ClientOptions {
  @Option(names = "--peers", required = true, paramLabel = "ID=HOST:PORT,...",
      description = "The cluster's nodes (all of them, or at least a majority), "
          + "e.g. n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003.")
  String peers;

  @Option(names = "--transport", defaultValue = "grpc", paramLabel = "grpc|netty",
      description = "Must match the nodes'. Default: ${DEFAULT-VALUE}.")
  Transport transport;

  @Option(names = "--timeout-ms", defaultValue = "15000", paramLabel = "MS",
      description = "Per request, retries across leader changes included. Default: ${DEFAULT-VALUE}.")
  long timeoutMs;

  PachydermClient connect() {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("--timeout-ms must be >= 1, was " + timeoutMs);
    }
    return PachydermClient.builder(parsePeers(peers))
        .transport(transport)
        .requestTimeout(Duration.ofMillis(timeoutMs))
        .build();
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
