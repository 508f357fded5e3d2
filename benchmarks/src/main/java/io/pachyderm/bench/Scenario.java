package io.pachyderm.bench;

import io.pachyderm.client.Transport;
import java.util.Objects;

/**
 * One row of the table: what to start and how the client batches.
 *
 * @param id short name used by {@code --scenarios} and in the "vs" column
 * @param title what the row measures, as printed
 * @param baselineId the row this one is compared with, or {@code null} for the main figure
 * @param commandsPerBatchMax client setting; 1 disables batching
 * @param inflightBatchesMax client setting: requests outstanding before commands accumulate
 * @param entityCount how many counters the calls are spread over
 */
record Scenario(String id, String title, String baselineId, Deployment deployment, Transport transport,
                int commandsPerBatchMax, int inflightBatchesMax, int entityCount) {

  /** Where the entities live. */
  enum Deployment {
    /** Three nodes in this JVM on loopback, with a client that talks to them over the transport. */
    CLUSTER,
    /** {@code LocalPachyderm}: one node and its client in this JVM (gRPC on loopback). */
    LOCAL
  }

  /** "gRPC", "Netty" or "local": the deployment kind, as the JIT warm-up names it. */
  String transportLabel() {
    if (deployment == Deployment.LOCAL) {
      return "local";
    }
    return transport == Transport.GRPC ? "gRPC" : "Netty";
  }

  Scenario {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(transport, "transport");
    if (commandsPerBatchMax < 1 || inflightBatchesMax < 1 || entityCount < 1) {
      throw new IllegalArgumentException("invalid scenario " + id + ": batch " + commandsPerBatchMax
          + ", inflight " + inflightBatchesMax + ", entities " + entityCount);
    }
  }
}
