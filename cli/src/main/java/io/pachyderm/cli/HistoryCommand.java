package io.pachyderm.cli;

import io.pachyderm.api.Futures;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.client.internal.EncodedHistory;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "history",
    description = {"Prints an entity's committed events, oldest first, one per line: version, the leader's "
        + "timestamp, event type and JSON, Raft log index and term, and what caused it (request, message or timer).",
        "Served from any node's event journal; includes every event committed before the command started.",
        "With --node ID: node ID's journal as it holds it now (to compare replicas)."})
final class HistoryCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Mixin
  EntityAddress address;

  @Option(names = "--from", defaultValue = "1", paramLabel = "VERSION",
      description = "First version to print (the first event is version 1). Default: ${DEFAULT-VALUE}.")
  long fromVersion;

  @Option(names = "--limit", paramLabel = "N", description = "Print at most N events. Default: all.")
  Long limit;

  @Option(names = "--json", description = "One JSON object per line (JSON Lines) instead of text.")
  boolean json;

  @Option(names = "--node", paramLabel = "ID",
      description = "Read node ID's journal only, up to the version that node has applied.")
  String node;

  @Override
  public Integer call() throws InterruptedException {
    var key = address.key();
    if (fromVersion < 1) {
      throw new IllegalArgumentException("--from must be >= 1 (the first event is version 1), was " + fromVersion);
    }
    if (limit != null && limit < 1) {
      throw new IllegalArgumentException("--limit must be >= 1, was " + limit);
    }
    try (PachydermClient c = client.connect()) {
      Duration timeout = c.requestTimeout();
      ReadMode mode = node != null ? ReadMode.onNode(node) : ReadMode.LINEARIZABLE;
      long upTo = Futures.join(c.encodedOperations().readEncoded(key, mode)).getVersion();
      if (limit != null) {
        upTo = Math.min(upTo, fromVersion + limit - 1);
      }
      PrintWriter out = spec.commandLine().getOut();
      EncodedHistory history = node != null ? c.encodedOperations().encodedHistory(key, mode)
          : c.encodedOperations().encodedHistory(key);
      long next = history.range(fromVersion, upTo, timeout, r -> out.println(HistoryFormat.line(r, json)));
      out.flush();
      if (next <= upTo) {
        throw new OutcomeUnknownException((node != null ? "node " + node + " did not serve" : "no node served")
            + " the history of " + key + " from version " + next
            + " within " + timeout.toMillis() + " ms");
      }
      if (!json && next == fromVersion) {
        out.println("no events from version " + fromVersion + " (the entity is at version " + upTo + ")");
        out.flush();
      }
    }
    return PachydermCli.EXIT_OK;
  }
}
