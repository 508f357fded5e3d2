package io.pachyderm.node;

import io.pachyderm.node.settings.StateStoreKind;
import io.pachyderm.cluster.Peer;
import java.nio.file.Path;

/**
 * One node with the DISK state store in its own JVM, for {@link DiskStateCrashTest}. Args: node id,
 * peers, data dir, snapshot threshold (entries). Prints "started", then serves until the test kills
 * it (SIGKILL) or closes its stdin.
 */
public final class DiskStateNodeMain {
  public static void main(String[] args) throws Exception {
    PachydermNode node = PachydermNode.builder(args[0], Peer.parseList(args[1]), Path.of(args[2]))
        .entityTypes(TestDocument.TYPES)
        .stateStore(StateStoreKind.DISK)
        .snapshotThresholdEntries(Long.parseLong(args[3]))
        .electionTimeoutMin(java.time.Duration.ofMillis(400))
        .diskReserveBytes(0)
        .build()
        .start();
    System.out.println("started");
    System.out.flush();
    while (System.in.read() >= 0) {
      // serve until the test closes our stdin or kills this JVM
    }
    node.close();
  }
}
