package io.pachyderm.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.ReadMode;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.cluster.Peer;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.PachydermNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bank transfers on a three-node cluster while the leader is killed and restarted: whatever
 * happened to each call (applied, rejected, or unknown), once the outbox has drained every
 * node holds balances that add up to the opening total, none negative, and all nodes agree.
 */
class BankClusterTest {
  private static final int ACCOUNTS = 12;
  private static final EntityTypes TYPES = EntityTypes.of(Account.TYPE);

  @TempDir
  Path dir;

  @Test
  void transfersConserveMoneyOnEveryNodeThroughLeaderKills() throws Exception {
    List<Peer> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(new Peer("n" + i, "127.0.0.1:" + freePort()));
    }
    PachydermNode[] nodes = new PachydermNode[3];
    for (int i = 0; i < 3; i++) {
      nodes[i] = start(peers, i);
    }
    long seed = Long.getLong("examples.seed", new SplittableRandom().nextLong());
    try (PachydermClient client = PachydermClient.builder(peers).entityTypes(TYPES)
        .requestTimeout(Duration.ofSeconds(20)).build()) {
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        SplittableRandom random = new SplittableRandom(seed + t);
        String prefix = "t" + t + "-";
        Thread thread = new Thread(() -> {
          for (int i = 0; i < 250 && !stop.get(); i++) {
            int from = random.nextInt(ACCOUNTS);
            int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
            try {
              client.call(Account.TYPE.ref("a" + from), new Account.Transfer(prefix + i, "a" + to,
                  random.nextLong(1, 40_00)));
            } catch (CommandRejectedException | OutcomeUnknownException e) {
              // insufficient funds, or in doubt across a leader kill: conservation must hold regardless
            } catch (RuntimeException e) {
              unexpected.add(e);
            }
          }
        }, "bank-" + t);
        thread.start();
        threads.add(thread);
      }
      for (int kill = 0; kill < 2; kill++) {
        Thread.sleep(800);
        int leader = awaitLeader(nodes);
        nodes[leader].close();
        nodes[leader] = null;
        awaitLeader(nodes);
        nodes[leader] = start(peers, leader);
      }
      for (Thread t : threads) {
        t.join(180_000);
      }
      stop.set(true);
      assertThat(unexpected).as("seed %d", seed).isEmpty();

      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!drained(nodes)) {
        assertThat(System.nanoTime()).as("outbox drained on every node within 60 s").isLessThan(deadline);
        Thread.sleep(20);
      }
      List<Long> reference = null;
      for (Peer peer : peers) {
        try (PachydermClient pinned = PachydermClient.builder(List.of(peer)).entityTypes(TYPES)
            .clusterId(io.pachyderm.cluster.ClusterIdentity.id(peers)).build()) {
          List<Long> balances = new ArrayList<>();
          for (int a = 0; a < ACCOUNTS; a++) {
            balances.add(pinned.queryAsync(Account.TYPE.ref("a" + a), ReadMode.STALE).get().state().balanceCents());
          }
          assertThat(balances).as("no negative balance on %s (seed %d)", peer.id(), seed).allMatch(b -> b >= 0);
          assertThat(balances.stream().mapToLong(Long::longValue).sum()).as("total on %s (seed %d)", peer.id(), seed)
              .isEqualTo(ACCOUNTS * Account.OPENING_BALANCE_CENTS);
          if (reference == null) {
            reference = balances;
          } else {
            assertThat(balances).as("%s agrees with the first node", peer.id()).isEqualTo(reference);
          }
        }
      }
      long debits = 0;
      for (int a = 0; a < ACCOUNTS; a++) {
        debits += client.query(Account.TYPE.ref("a" + a)).state().debits();
      }
      assertThat(debits).as("transfers happened").isGreaterThan(50);
    } finally {
      for (PachydermNode n : nodes) {
        if (n != null) {
          n.close();
        }
      }
    }
  }

  private PachydermNode start(List<Peer> peers, int i) {
    return PachydermNode.builder(peers.get(i).id(), peers, dir.resolve(peers.get(i).id()))
        .entityTypes(TYPES)
        .electionTimeoutMin(Duration.ofMillis(400))
        .build()
        .start();
  }

  /** Every node has applied the same log end and has no undelivered message. */
  private static boolean drained(PachydermNode[] nodes) {
    long applied = -1;
    for (PachydermNode n : nodes) {
      if (n.outboxStats().pendingMessages() != 0) {
        return false;
      }
      if (applied >= 0 && n.appliedIndex() != applied) {
        return false;
      }
      applied = n.appliedIndex();
    }
    return true;
  }

  private static int awaitLeader(PachydermNode[] nodes) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null && nodes[i].isReadyLeader()) {
          return i;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader within 60 s");
  }

  private static int freePort() {
    return io.pachyderm.cluster.internal.LoopbackPorts.free();
  }
}
