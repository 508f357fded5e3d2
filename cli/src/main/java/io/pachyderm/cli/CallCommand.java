package io.pachyderm.cli;

import io.pachyderm.api.Futures;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.protocol.Applied;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "call",
    description = "Sends a command to an entity and waits until it is committed; prints the entity's new version "
        + "and the reply (by default the new state) as JSON.",
    footer = {"%nExample:", "  pachyderm call --peers n1=127.0.0.1:7001,... counter c1 Increment '{\"by\":2}'"})
final class CallCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Mixin
  CommandMessage message;

  @Override
  public Integer call() {
    var key = message.address.key();
    var payload = message.payload();
    try (PachydermClient c = client.connect()) {
      Applied applied = Futures.join(c.encodedOperations().callEncoded(key, payload, true));
      PrintWriter out = spec.commandLine().getOut();
      out.println("version: " + applied.getVersion());
      String label = applied.getReplyIsState() ? "state: " : "reply: ";
      out.println(label + (applied.hasReply() ? Json.render(applied.getReply()) : "(none)"));
      out.flush();
    }
    return PachydermCli.EXIT_OK;
  }
}
