package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.cluster.internal.LoopbackPorts;
import io.pachyderm.node.settings.FatalErrorPolicy;
import io.pachyderm.node.settings.StateStoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a DISK node that takes a checkpoint every three entries, so that the kill most likely
 * lands in one (on-disk states a kill leaves at each step are each checked by {@link
 * DiskCheckpointTest}): every restart loads the latest complete snapshot, and no acknowledged write
 * is lost or applied twice.
 */
class DiskCheckpointCrashTest {
  private static final int ROUNDS = 3;
  private static final int WAVES_PER_ROUND = 6;
  private static final int IN_FLIGHT = 8;

  @TempDir
  Path dir;

  @Test
  void aNodeKilledWhileItCheckpointsRestartsWithEveryAcknowledgedWriteOnce() throws Exception {
    Peer peer = new Peer("n1", "127.0.0.1:" + LoopbackPorts.free());
    List<Peer> peers = List.of(peer);
    Path data = dir.resolve("n1");
    List<String> acknowledged = new ArrayList<>();
    List<String> inDoubt = new ArrayList<>();
    int sent = 0;
    for (int round = 0; round < ROUNDS; round++) {
      try (ChildJvm child = ChildJvm.start("-Xmx256m", DiskStateNodeMain.class, "n1",
               peer.id() + "=" + peer.address(), data.toString(), "3");
           PachydermClient client = PachydermClient.builder(peers).entityTypes(TestDocument.TYPES)
               .requestTimeout(Duration.ofSeconds(60)).build()) {
        assertThat(child.awaitOutput("started", 180)).as("child started:\n%s", child.output()).isTrue();
        for (int wave = 0; wave < WAVES_PER_ROUND; wave++) {
          sent = wave(client, sent, acknowledged, inDoubt, wave == WAVES_PER_ROUND - 1 ? child : null);
        }
        assertThat(child.isAlive()).isFalse();
      }
      assertThat(checkpoints(data)).as("round %d left checkpoints", round).isNotEmpty();
    }
    try (PachydermNode node = PachydermNode.builder("n1", peers, data).entityTypes(TestDocument.TYPES)
             .stateStore(StateStoreKind.DISK).onFatalError(FatalErrorPolicy.STOP_NODE)
             .electionTimeoutMin(Duration.ofMillis(400)).diskReserveBytes(0).build().start();
         PachydermClient client = PachydermClient.builder(peers).entityTypes(TestDocument.TYPES)
             .requestTimeout(Duration.ofSeconds(60)).build()) {
      List<String> pages = client.query(TestDocument.TYPE.ref("doc")).state().pages();
      assertThat(pages).containsAll(acknowledged).doesNotHaveDuplicates();
      List<String> possible = new ArrayList<>(acknowledged);
      possible.addAll(inDoubt);
      assertThat(possible).containsAll(pages);
      assertThat(acknowledged).as("enough calls were acknowledged to cross many checkpoints").hasSizeGreaterThan(30);
    }
  }

  /** One wave of appends to one document; with {@code kill}, kills that JVM (SIGKILL) while it is in flight. */
  private static int wave(PachydermClient client, int sent, List<String> acknowledged, List<String> inDoubt,
                          ChildJvm kill) throws Exception {
    List<CompletableFuture<?>> calls = new ArrayList<>();
    List<String> pages = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++, sent++) {
      String page = "call-" + sent;
      calls.add(client.callAsync(TestDocument.TYPE.ref("doc"), new TestDocument.Append(page)));
      pages.add(page);
    }
    if (kill != null) {
      kill.close();
    }
    for (int i = 0; i < calls.size(); i++) {
      try {
        calls.get(i).get(120, TimeUnit.SECONDS);
        acknowledged.add(pages.get(i));
      } catch (Exception unknownOutcome) {
        inDoubt.add(pages.get(i));
      }
    }
    return sent;
  }

  private static List<Path> checkpoints(Path data) throws Exception {
    try (Stream<Path> files = Files.walk(data)) {
      return files.filter(p -> p.getFileName().toString().matches("checkpoint\\.\\d+_\\d+")).toList();
    }
  }
}
