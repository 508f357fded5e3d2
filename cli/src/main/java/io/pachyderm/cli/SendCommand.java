package io.pachyderm.cli;

import io.pachyderm.api.Futures;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.protocol.Applied;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "send",
    description = "Like call, but asks for no reply: prints only the entity's new version once the command "
        + "is committed.")
final class SendCommand implements Callable<Integer> {
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
      Applied applied = Futures.join(c.encodedOperations().callEncoded(key, payload, false));
      spec.commandLine().getOut().println("version: " + applied.getVersion());
      spec.commandLine().getOut().flush();
    }
    return PachydermCli.EXIT_OK;
  }
}
