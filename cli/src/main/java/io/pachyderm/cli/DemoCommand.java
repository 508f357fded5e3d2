package io.pachyderm.cli;

import io.pachyderm.entity.EntityTypesProvider;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "demo",
    description = "Runs the README demo on the embedded local ecosystem: no cluster, state kept in DIR across runs.")
final class DemoCommand implements Runnable {
  @Parameters(arity = "0..1", paramLabel = "DIR",
      description = "Data directory. Default: the demo's own (data/demo under the current directory).")
  Path dataDir;

  @Override
  public void run() {
    // The demo comes from a provider on the launcher's class path (the examples jar), not an import:
    // the launcher serves any entity types and knows none of them.
    EntityTypesProvider.Demo demo;
    try {
      demo = ProvidedTypes.demoFromClassPath().orElseThrow(() -> new CliFailure("no demo: no entity types provider "
          + "with a demo on the launcher's class path (the examples jar is missing)"));
    } catch (ProvidedTypes.ProviderException e) {
      throw new CliFailure(e.getMessage());
    }
    demo.run(dataDir == null ? Path.of("data/demo") : dataDir, System.out);
  }
}
