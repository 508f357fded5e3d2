package io.pachyderm.bench;

import io.pachyderm.cluster.Transport;
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
 * @param journal whether the nodes keep an event journal ({@code PachydermNode.Builder.journalEnabled})
 * @param eventsPerCall events one successful call applies (load {@link Load#APPENDS}; 1 otherwise)
 * @param mutualTls nodes and client talk mutual TLS, with certificates from a CA made for the row
 *     (deployment {@link Deployment#CLUSTER} or {@link Deployment#SINGLE}, gRPC only)
 */
record Scenario(String id, String title, String baselineId, Deployment deployment, Transport transport,
                int commandsPerBatchMax, int inflightBatchesMax, int entityCount, Load load, boolean journal,
                int eventsPerCall, boolean mutualTls) {

  /** A plaintext row. */
  Scenario(String id, String title, String baselineId, Deployment deployment, Transport transport,
           int commandsPerBatchMax, int inflightBatchesMax, int entityCount, Load load, boolean journal,
           int eventsPerCall) {
    this(id, title, baselineId, deployment, transport, commandsPerBatchMax, inflightBatchesMax, entityCount, load,
        journal, eventsPerCall, false);
  }

  /** A plaintext row on nodes with the journal on (their default), each call applying one event. */
  Scenario(String id, String title, String baselineId, Deployment deployment, Transport transport,
           int commandsPerBatchMax, int inflightBatchesMax, int entityCount, Load load) {
    this(id, title, baselineId, deployment, transport, commandsPerBatchMax, inflightBatchesMax, entityCount, load,
        true, 1);
  }

  /** What one call of the workload is. */
  enum Load {
    /** {@code call(counter, Increment(1))}: one command, nothing sent on. */
    INCREMENTS,
    /**
     * {@code call(account, Transfer(id, next account, 1 cent))}: one command whose decision sends a
     * {@code Credit} to the next account, which Pachyderm delivers (a second log entry) after commit.
     */
    TRANSFERS,
    /** {@code call(log, Append(eventsPerCall))} on {@link BenchLog}: one command, that many events. */
    APPENDS
  }

  /** Where the entities live. */
  enum Deployment {
    /** Three nodes in this JVM on loopback, with a client that talks to them over the transport. */
    CLUSTER,
    /** {@code LocalPachyderm}: one node and its client in this JVM (gRPC on loopback). */
    LOCAL,
    /**
     * One {@code PachydermNode} (a one-member group) and a client over gRPC on loopback: what
     * {@code LocalPachyderm} builds, with every node option open (the journal switch).
     */
    SINGLE
  }

  /** "gRPC", "gRPC+TLS", "Netty" or "local": the deployment kind, as the JIT warm-up names it. */
  String transportLabel() {
    if (deployment == Deployment.LOCAL || deployment == Deployment.SINGLE) {
      return "local";
    }
    if (transport == Transport.GRPC) {
      return mutualTls ? "gRPC+TLS" : "gRPC";
    }
    return "Netty";
  }

  Scenario {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(deployment, "deployment");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(load, "load");
    if (commandsPerBatchMax < 1 || inflightBatchesMax < 1 || entityCount < 1
        || (load == Load.TRANSFERS && entityCount < 2) || eventsPerCall < 1
        || eventsPerCall > BenchLog.EVENTS_PER_COMMAND_MAX || (load != Load.APPENDS && eventsPerCall != 1)) {
      throw new IllegalArgumentException("invalid scenario " + id + ": batch " + commandsPerBatchMax
          + ", inflight " + inflightBatchesMax + ", entities " + entityCount);
    }
    if (mutualTls && (deployment == Deployment.LOCAL || transport != Transport.GRPC)) {
      throw new IllegalArgumentException("invalid scenario " + id + ": mutual TLS needs gRPC nodes of our own "
          + "(deployment CLUSTER or SINGLE), not " + deployment + " on " + transport);
    }
  }
}
