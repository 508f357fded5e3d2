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
 * @param entityCount how many counters (or accounts) the calls are spread over
 * @param load what each call does
 */
record Scenario(String id, String title, String baselineId, Deployment deployment, Transport transport,
                int commandsPerBatchMax, int inflightBatchesMax, int entityCount, Load load) {

  /** What one call of the workload is. */
  enum Load {
    /** {@code call(counter, Increment(1))}: one command, nothing sent on. */
    INCREMENTS,
    /**
     * {@code call(account, Transfer(id, next account, 1 cent))}: one command whose decision sends a
     * {@code Credit} to the next account, which Pachyderm delivers (a second log entry) after commit.
     */
    TRANSFERS
  }

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
    Objects.requireNonNull(load, "load");
    if (commandsPerBatchMax < 1 || inflightBatchesMax < 1 || entityCount < 1
        || (load == Load.TRANSFERS && entityCount < 2)) {
      throw new IllegalArgumentException("invalid scenario " + id + ": batch " + commandsPerBatchMax
          + ", inflight " + inflightBatchesMax + ", entities " + entityCount);
    }
  }
}
