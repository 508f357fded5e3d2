package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.Reply;
import io.pachyderm.client.PachydermClient;
import io.pachyderm.entity.EntityRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A counter on a three-node cluster, driven by many threads, with and without a leader crash. */
class ClusterCountingTest {
  @TempDir
  Path dir;

  @Test
  void concurrentCallsFromManyThreadsCountExactlyOnceEach() throws Exception {
    int threads = 16;
    int callsPerThread = 150;
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("c1");
      Set<Long> versions = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < callsPerThread; i++) {
            Reply<TestCounter.State> r = client.call(ref, new TestCounter.Add(1));
            assertThat(versions.add(r.version())).as("version %d seen twice", r.version()).isTrue();
            assertThat(r.state().count()).isEqualTo(r.version());
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      long n = (long) threads * callsPerThread;
      assertThat(client.query(ref).state().count()).isEqualTo(n);
      assertThat(client.query(ref).version()).isEqualTo(n);
      assertThat(versions).hasSize((int) n);
      assertThat(versions).allMatch(v -> v >= 1 && v <= n);
      cluster.assertReplicasAgree();
    }
  }

  @Test
  void killingTheLeaderMidLoadLosesNoAcknowledgedCall() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, TestCounter.TYPES)) {
      cluster.awaitLeader();
      PachydermClient client = cluster.client();
      EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("failover");
      AtomicLong acknowledged = new AtomicLong();
      AtomicLong inDoubt = new AtomicLong();
      AtomicInteger started = new AtomicInteger();
      int callsMax = 3000;
      List<CompletableFuture<Void>> all = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      for (int t = 0; t < 8; t++) {
        all.add(CompletableFuture.runAsync(() -> {
          while (started.incrementAndGet() <= callsMax) {
            try {
              client.call(ref, new TestCounter.Add(1));
              acknowledged.incrementAndGet();
            } catch (OutcomeUnknownException e) {
              inDoubt.incrementAndGet();
            }
          }
        }, pool));
      }
      while (acknowledged.get() < 300) {
        TestCluster.sleep(5);
      }
      int leader = cluster.awaitLeader();
      cluster.stop(leader);
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get();
      pool.shutdown();
      cluster.start(leader);
      long count = client.query(ref).state().count();
      assertThat(count).isGreaterThanOrEqualTo(acknowledged.get());
      assertThat(count).isLessThanOrEqualTo(acknowledged.get() + inDoubt.get());
      assertThat(acknowledged.get() + inDoubt.get()).isEqualTo(callsMax);
      cluster.assertReplicasAgree();
    }
  }
}
