package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pachyderm.api.Reply;
import io.pachyderm.client.NodeView;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Transport;
import io.pachyderm.entity.EntityRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What an embedding application sees in its log when the client rides out a leader kill: no
 * ERROR from Ratis' client classes (Ratis 3.3.0's ordered async client logs one per failed
 * attempt, stack trace included, even when the request is retried and succeeds), and one INFO
 * line of ours naming the leader change.
 */
class ClientFailoverLoggingTest {
  /** Loggers of Ratis' client side: the client itself and its gRPC and Netty transports. */
  private static final List<String> RATIS_CLIENT_LOGGERS = List.of(
      "org.apache.ratis.client", "org.apache.ratis.grpc.client", "org.apache.ratis.netty.client");

  @TempDir
  Path dir;

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void capture() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
    captured.stop();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aLeaderKillThatTheClientHandlesLogsNoRatisClientErrorAndOneLeaderChangeLine(Transport transport)
      throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3, TestCounter.TYPES, b -> b.transport(transport));
         PachydermClient client = PachydermClient.builder(cluster.peers()).entityTypes(TestCounter.TYPES)
             .transport(transport).requestTimeout(Duration.ofSeconds(30)).build()) {
      int leader = cluster.awaitLeader();
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("failover");
      client.call(ref, new TestCounter.Add(1));

      // Writers keep requests in flight through the kill, so some are sent to the dead leader.
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong acknowledged = new AtomicLong(1);
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        writers.add(CompletableFuture.runAsync(() -> {
          while (running.get()) {
            client.call(ref, new TestCounter.Add(1));
            acknowledged.incrementAndGet();
          }
        }));
      }
      awaitAcknowledged(acknowledged, 50);
      cluster.stop(leader);
      long atKill = acknowledged.get();
      awaitAcknowledged(acknowledged, atKill + 200);
      // A node that is starting answers status reads with StaleReadException until it has applied.
      cluster.start(leader);
      for (int i = 0; i < 5; i++) {
        List<NodeView> views = client.status();
        assertThat(views).hasSize(3);
      }
      running.set(false);
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
      Reply<TestCounter.State> last = client.call(ref, new TestCounter.Add(1));
      assertThat(last.state().count()).isEqualTo(acknowledged.get() + 1);
    }

    List<String> ratisClientErrors = new ArrayList<>();
    List<String> leaderChanges = new ArrayList<>();
    for (ILoggingEvent e : captured.list) {
      if (e.getLevel().isGreaterOrEqual(Level.ERROR)
          && RATIS_CLIENT_LOGGERS.stream().anyMatch(e.getLoggerName()::startsWith)) {
        ratisClientErrors.add(e.getLoggerName() + ": " + e.getFormattedMessage());
      }
      if (e.getLoggerName().startsWith("io.pachyderm.client") && e.getFormattedMessage().contains("leader changed")) {
        assertThat(e.getLevel()).isEqualTo(Level.INFO);
        leaderChanges.add(e.getFormattedMessage());
      }
    }
    assertThat(ratisClientErrors).as("ERROR events from Ratis' client classes").isEmpty();
    // One per leader change the client saw: the kill's, and at most one more if the first
    // election after it is lost to a split vote.
    assertThat(leaderChanges).as("our leader-change lines").hasSizeBetween(1, 2);
  }

  private static void awaitAcknowledged(AtomicLong acknowledged, long atLeast) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (acknowledged.get() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + acknowledged.get() + " writes acknowledged within 60 s, expected " + atLeast);
      }
      TestCluster.sleep(10);
    }
  }
}
