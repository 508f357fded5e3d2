package io.pachyderm.cli;

import io.pachyderm.api.Futures;
import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.protocol.EntityRead;
import io.pachyderm.protocol.Payload;
import io.pachyderm.protocol.Protos;
import io.pachyderm.protocol.QueryReply;
import io.pachyderm.runtime.EntityKey;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "query",
    description = "Prints an entity's version and state as JSON, or, with --query, the version and the result of a "
        + "named query of the entity's type, run on the node: only the result travels.",
    footer = {"%nExamples:", "  pachyderm query --peers n1=127.0.0.1:7001,... account bob",
        "  pachyderm query --peers n1=127.0.0.1:7001,... account bob --query balance",
        "  pachyderm query --peers n1=127.0.0.1:7001,... account bob --query can-pay --args '{\"cents\":2500}'"})
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

  @Option(names = "--query", paramLabel = "NAME",
      description = "A named query registered on the entity type, e.g. balance. Default: print the whole state.")
  String query;

  @Option(names = "--args", paramLabel = "JSON",
      description = "The query's args as JSON, for a query that takes args, e.g. '{\"cents\":2500}'.")
  String args;

  @Override
  public Integer call() {
    EntityKey key = address.key();
    Payload queryArgs = queryArgs();
    if (stale && node != null) {
      throw new IllegalArgumentException("--stale and --node exclude each other: --node already reads one node's "
          + "applied state");
    }
    ReadMode mode = node != null ? ReadMode.onNode(node) : stale ? ReadMode.STALE : ReadMode.LINEARIZABLE;
    try (PachydermClient c = client.connect()) {
      PrintWriter out = spec.commandLine().getOut();
      if (query != null) {
        QueryReply reply = Futures.join(c.encodedOperations().queryEncoded(key, query, queryArgs, mode));
        out.println("version: " + reply.getVersion());
        out.println("result: " + (reply.hasResult() ? Json.render(reply.getResult()) : "null"));
      } else {
        printState(out, Futures.join(c.encodedOperations().readEncoded(key, mode)));
      }
      out.flush();
    }
    return PachydermCli.EXIT_OK;
  }

  /** The args as a payload whose empty type lets the node name them by the query's declared class. */
  private Payload queryArgs() {
    if (query != null && query.isBlank()) {
      throw new IllegalArgumentException("--query must not be blank");
    }
    if (args == null) {
      return null;
    }
    if (query == null) {
      throw new IllegalArgumentException("--args needs --query NAME: a plain query prints the whole state");
    }
    try {
      return Payload.newBuilder().setData(Protos.wrap(Json.compact(args))).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--args of query " + query + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static void printState(PrintWriter out, EntityRead read) {
    if (read.hasState()) {
      out.println("version: " + read.getVersion());
      out.println("state: " + Json.render(read.getState()));
    } else {
      out.println("no events yet (version " + read.getVersion() + ")");
    }
  }
}
