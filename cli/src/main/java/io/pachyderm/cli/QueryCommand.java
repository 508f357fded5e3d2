package io.pachyderm.cli;

import io.pachyderm.api.Futures;
import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.protocol.EntityRead;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "query", description = "Prints an entity's version and state as JSON.")
final class QueryCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Mixin
  EntityAddress address;

  @Option(names = "--stale",
      description = "Read from any node's applied state: works without a leader, may miss recent writes. "
          + "Default: linearizable (reflects every call that completed before the query).")
  boolean stale;

  @Option(names = "--node", paramLabel = "ID",
      description = "Read node ID's applied state (as --stale, but always that node): to compare replicas.")
  String node;

  @Override
  public Integer call() {
    var key = address.key();
    if (stale && node != null) {
      throw new IllegalArgumentException("--stale and --node exclude each other: --node already reads one node's "
          + "applied state");
    }
    ReadMode mode = node != null ? ReadMode.onNode(node) : stale ? ReadMode.STALE : ReadMode.LINEARIZABLE;
    try (PachydermClient c = client.connect()) {
      EntityRead read = Futures.join(c.readEncoded(key, mode));
      PrintWriter out = spec.commandLine().getOut();
      if (read.hasState()) {
        out.println("version: " + read.getVersion());
        out.println("state: " + Json.render(read.getState()));
      } else {
        out.println("no events yet (version " + read.getVersion() + ")");
      }
      out.flush();
    }
    return PachydermCli.EXIT_OK;
  }
}
