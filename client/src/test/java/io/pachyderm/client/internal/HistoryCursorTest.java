package io.pachyderm.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.HistoryUnavailableException;
import io.pachyderm.api.PachydermException;
import io.pachyderm.api.RejectionKind;
import io.pachyderm.cluster.Peer;
import io.pachyderm.protocol.HistoryPage;
import io.pachyderm.protocol.HistoryQuery;
import io.pachyderm.protocol.JournalRecord;
import io.pachyderm.protocol.Ref;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node choice of history reads, against fake nodes: who holds what, who is down, who keeps no journal. */
class HistoryCursorTest {
  private static final List<Peer> PEERS = List.of(new Peer("n1", "127.0.0.1:1"), new Peer("n2", "127.0.0.1:2"),
      new Peer("n3", "127.0.0.1:3"));
  private static final Ref REF = Ref.newBuilder().setEcosystem("default").setType("counter").setId("c").build();

  /** What each fake node answers: versions [first, last] journaled, the entity at last, or down / no journal. */
  private final Map<String, long[]> holds = new HashMap<>();
  private final Map<String, String> down = new HashMap<>();
  private final List<String> asked = new ArrayList<>();

  private HistoryPage read(String peer, HistoryQuery q) throws IOException {
    asked.add(peer);
    if (down.containsKey(peer)) {
      if (down.get(peer).equals("reject")) {
        throw new CommandRejectedException(RejectionKind.UNKNOWN_ENTITY_TYPE, "no such type");
      }
      throw new IOException(peer + " is down");
    }
    long[] range = holds.get(peer);
    if (range == null) {
      return HistoryPage.newBuilder().setNodeId(peer).setJournalDisabled(true).build();
    }
    HistoryPage.Builder page = HistoryPage.newBuilder().setNodeId(peer).setFirstVersion(range[0])
        .setLastVersion(range[1]);
    long from = Math.max(q.getFromVersion(), range[0]);
    for (long v = from; v <= range[1] && v < from + q.getLimit() && range[0] > 0; v++) {
      page.addRecords(JournalRecord.newBuilder().setRef(REF).setVersion(v));
    }
    return page.build();
  }

  /** What the leader answers to a linearizable read: failures first, then the entity at {@link #leaderVersion}. */
  private final java.util.ArrayDeque<Exception> leaderFailures = new java.util.ArrayDeque<>();
  private long leaderVersion;

  private io.pachyderm.protocol.EntityRead readState(Ref ref, long timeoutMs) throws Exception {
    asked.add("leader");
    if (!leaderFailures.isEmpty()) {
      throw leaderFailures.poll();
    }
    io.pachyderm.protocol.EntityRead.Builder r = io.pachyderm.protocol.EntityRead.newBuilder().setVersion(leaderVersion);
    if (leaderVersion > 0) {
      r.setState(io.pachyderm.protocol.Payload.newBuilder().setType("State").setSchemaVersion(1));
    }
    return r.build();
  }

  private HistoryCursor cursor() {
    return new HistoryCursor(this::read, this::readState, PEERS, REF, 0);
  }

  /** Issue 10: a follower that has not applied the newest entry must not be where "current" comes from. */
  @Test
  void theCurrentStateIsReadLinearizablyNotFromWhicheverNodeIsNext() throws Exception {
    holds.put("n1", new long[] {1, 4}); // lags: the write of v5 was acknowledged, n1 has not applied it
    leaderVersion = 5;
    leaderFailures.add(new IOException("no leader yet"));
    leaderFailures.add(new java.util.concurrent.TimeoutException("read index"));
    HistoryPage page = cursor().currentState(deadline());
    assertThat(page.getLastVersion()).isEqualTo(5);
    assertThat(page.hasState()).isTrue();
    assertThat(asked).containsExactly("leader", "leader", "leader");
  }

  @Test
  void aRefusedCurrentStateReadIsNotRetried() {
    leaderFailures.add(new java.util.concurrent.ExecutionException(
        new CommandRejectedException(RejectionKind.UNKNOWN_ENTITY_TYPE, "no such type")));
    assertThatThrownBy(() -> cursor().currentState(deadline())).isInstanceOf(CommandRejectedException.class);
  }

  @Test
  void theCurrentStateReadGivesUpAtTheDeadline() throws Exception {
    for (int i = 0; i < 1_000; i++) {
      leaderFailures.add(new IOException("no leader"));
    }
    assertThat(cursor().currentState(System.nanoTime() + Duration.ofMillis(300).toNanos())).isNull();
  }

  private static long deadline() {
    return System.nanoTime() + Duration.ofSeconds(10).toNanos();
  }

  @Test
  void readsFromTheFirstNodeThatHoldsTheVersionAndSticksToIt() throws Exception {
    holds.put("n1", new long[] {11, 20}); // caught up by snapshot installation: history from v11
    holds.put("n2", new long[] {1, 20});
    holds.put("n3", new long[] {1, 20});
    HistoryCursor cursor = cursor();
    HistoryPage page = cursor.fetch(3, 5, 0, deadline());
    assertThat(page.getRecordsList()).extracting(JournalRecord::getVersion).containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(page.getNodeId()).isEqualTo("n2");
    cursor.fetch(8, 5, 0, deadline());
    assertThat(asked).containsExactly("n1", "n2", "n2");
  }

  @Test
  void anEmptyPageFromANodeThatHoldsTheStartMeansCaughtUp() throws Exception {
    holds.put("n1", new long[] {1, 20});
    HistoryPage page = cursor().fetch(21, 5, 0, deadline());
    assertThat(page.getRecordsCount()).isZero();
    assertThat(asked).containsExactly("n1");
  }

  @Test
  void anEntityUnknownToANodeIsNotLackingThere() throws Exception {
    holds.put("n1", new long[] {0, 0});
    assertThat(cursor().fetch(1, 5, 0, deadline()).getRecordsCount()).isZero();
    assertThat(asked).containsExactly("n1");
  }

  @Test
  void aNodeThatStopsGettingNewEventsIsLeftAfterAFewEmptyAnswers() throws Exception {
    holds.put("n1", new long[] {1, 5}); // cut off from the majority: it never gets past v5
    holds.put("n2", new long[] {1, 9});
    holds.put("n3", new long[] {1, 9});
    HistoryCursor cursor = cursor();
    for (int i = 0; i < HistoryCursor.EMPTY_ANSWERS_BEFORE_MOVING; i++) {
      assertThat(cursor.fetch(6, 5, 0, deadline()).getRecordsCount()).isZero();
    }
    HistoryPage page = cursor.fetch(6, 5, 0, deadline());
    assertThat(page.getNodeId()).isEqualTo("n2");
    assertThat(page.getRecordsList()).extracting(JournalRecord::getVersion).containsExactly(6L, 7L, 8L, 9L);
  }

  @Test
  void whenNoNodeHoldsTheVersionItSaysSoWithTheOldestHeld() {
    holds.put("n1", new long[] {11, 20});
    holds.put("n2", new long[] {7, 20}); // retention dropped v1..v6
    down.put("n3", "io");
    assertThatThrownBy(() -> cursor().fetch(2, 5, 0, deadline()))
        .isInstanceOfSatisfying(HistoryUnavailableException.class, e -> assertThat(e.oldestVersion()).isEqualTo(7))
        .hasMessageContaining("from version 2").hasMessageContaining("oldest held is version 7");
  }

  @Test
  void downNodesAreSkippedUntilTheDeadline() throws Exception {
    down.put("n1", "io");
    down.put("n2", "io");
    down.put("n3", "io");
    HistoryCursor cursor = cursor();
    assertThat(cursor.fetch(1, 5, 0, System.nanoTime() + Duration.ofMillis(300).toNanos())).isNull();
    assertThat(cursor.lastFailure()).contains("is down");
    down.remove("n2");
    holds.put("n2", new long[] {1, 3});
    assertThat(cursor.fetch(1, 5, 0, deadline()).getNodeId()).isEqualTo("n2");
  }

  @Test
  void nodesWithoutAJournalAreNamedWhenNoneHasOne() {
    assertThatThrownBy(() -> cursor().fetch(1, 5, 0, deadline())).isInstanceOf(PachydermException.class)
        .hasMessageContaining("no node keeps an event journal");
  }

  @Test
  void aRequestEveryNodeWouldRefuseFailsAtOnce() {
    down.put("n1", "reject");
    assertThatThrownBy(() -> cursor().fetch(1, 5, 0, deadline())).isInstanceOf(CommandRejectedException.class);
    assertThat(asked).containsExactly("n1");
  }
}
