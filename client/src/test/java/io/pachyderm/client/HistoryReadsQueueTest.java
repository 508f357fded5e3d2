package io.pachyderm.client;

import io.pachyderm.cluster.Peer;
import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.HistoryEvent;
import io.pachyderm.api.OverloadedException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The client's history reads wait in a bounded queue (issue 12, item 8): past
 * {@code historyReadsQueuedMax} a read fails at once, naming the limit, instead of joining an
 * unbounded backlog.
 */
class HistoryReadsQueueTest {
  record State(long n) {}

  record Cmd() {}

  record Evt() {}

  static final class Thing implements Entity<State, Cmd, Evt> {
    @Override
    public State initial(String id) {
      return new State(0);
    }

    @Override
    public Decision<Evt> handle(Cmd command, State state, Context ctx) {
      return Decision.none();
    }

    @Override
    public State apply(Evt event, State state) {
      return state;
    }
  }

  static final EntityType<State, Cmd, Evt> TYPE =
      EntityType.builder("thing", new Thing(), State.class, Cmd.class, Evt.class).build();

  @Test
  void aHistoryReadPastTheQueueLimitFailsAtOnceNamingTheLimit() throws Exception {
    // A "node" that accepts connections and never answers: every read holds its thread until its timeout.
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        // Bounded: ends when the server socket closes at the end of the test.
        while (!silent.isClosed()) {
          try {
            accepted.add(silent.accept());
          } catch (java.io.IOException e) {
            return;
          }
        }
      }, "silent-node");
      acceptor.setDaemon(true);
      acceptor.start();
      Peer peer = new Peer("n1", "127.0.0.1:" + silent.getLocalPort());
      try (PachydermClient client = PachydermClient.builder(List.of(peer)).entityTypes(EntityTypes.of(TYPE))
          .requestTimeout(Duration.ofSeconds(20)).historyReadsQueuedMax(1).build()) {
        List<CompletableFuture<List<HistoryEvent>>> reads = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // four history threads, and one read waiting
          reads.add(client.historyAsync(TYPE.ref("t" + i), 1, 10, ReadMode.STALE));
        }

        CompletableFuture<List<HistoryEvent>> refused = client.historyAsync(TYPE.ref("t5"), 1, 10, ReadMode.STALE);

        assertThat(refused).isCompletedExceptionally();
        try {
          refused.get();
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(OverloadedException.class)
              .hasMessageContaining("historyReadsQueuedMax (1)");
        }
        assertThat(reads).noneMatch(CompletableFuture::isDone);
      }
    } finally {
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
