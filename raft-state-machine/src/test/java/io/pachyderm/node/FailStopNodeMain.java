package io.pachyderm.node;

import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.cluster.Peer;
import java.nio.file.Path;

/**
 * One node in its own JVM with the default fail-stop policy ({@link FatalErrorPolicy#HALT_JVM}) and
 * no disk reserve, for {@link FailStopHaltTest}. Args: node id, peers, data dir. Prints "started",
 * then serves until its stdin closes (the test ends) or the node halts the JVM.
 */
public final class FailStopNodeMain {
  public static void main(String[] args) throws Exception {
    PachydermNode node = PachydermNode.builder(args[0], Peer.parseList(args[1]), Path.of(args[2]))
        .entityTypes(TestDocument.TYPES)
        .electionTimeoutMin(java.time.Duration.ofMillis(400))
        .diskReserveBytes(0)
        .build()
        .start();
    System.out.println("started");
    System.out.flush();
    while (System.in.read() >= 0) {
      // serve until the test closes our stdin
    }
    node.close();
  }
}
