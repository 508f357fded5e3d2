package io.pachyderm.cli;

import io.pachyderm.examples.Demo;
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
    Demo.main(dataDir == null ? new String[0] : new String[] {dataDir.toString()});
  }
}
