package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.client.NodeView;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReseedPreconditionTest {
  private static NodeView up(String id, String role, long commit, long applied) {
    return new NodeView(id, true, role, "n2", 3, commit, applied, 0, 10, 0, 0, 0, 0, 0, 0, "LEADER".equals(role), 0, 0,
        1L, Collections.emptyNavigableMap(), false, "");
  }

  private static NodeView down(String id) {
    return NodeView.unreachable(id, "connection refused");
  }

  @Test
  void everyOtherNodeUpAndCaughtUpAllowsIt() throws Exception {
    List<NodeView> round = List.of(down("n1"), up("n2", "LEADER", 100, 100), up("n3", "FOLLOWER", 100, 100));
    assertThat(ReseedPrecondition.whyNot(() -> round, Duration.ZERO)).isNull();
  }

  @Test
  void anotherNodeDownIsRefusedNamingBoth() throws Exception {
    List<NodeView> round = List.of(down("n1"), up("n2", "LEADER", 100, 100), down("n3"));
    assertThat(ReseedPrecondition.whyNot(() -> round, Duration.ZERO))
        .contains("2 nodes do not answer (n1, n3)").contains("re-seed one node at a time");
  }

  @Test
  void noLeaderIsRefused() throws Exception {
    List<NodeView> round = List.of(down("n1"), up("n2", "CANDIDATE", 100, 100), up("n3", "FOLLOWER", 90, 90));
    assertThat(ReseedPrecondition.whyNot(() -> round, Duration.ZERO)).contains("no node answers as leader");
  }

  @Test
  void aLaggingNodeGetsTheWaitToCatchUpAndIsNamedIfItDoesNot() throws Exception {
    Deque<List<NodeView>> rounds = new ArrayDeque<>(List.of(
        List.of(down("n1"), up("n2", "LEADER", 100, 100), up("n3", "FOLLOWER", 80, 80)),
        List.of(down("n1"), up("n2", "LEADER", 120, 120), up("n3", "FOLLOWER", 100, 100))));
    // Caught up with what the leader had committed at the first look (100), not with later commits.
    assertThat(ReseedPrecondition.whyNot(rounds::removeFirst, Duration.ofSeconds(30))).isNull();

    List<NodeView> stuck = List.of(down("n1"), up("n2", "LEADER", 100, 100), up("n3", "FOLLOWER", 80, 80));
    assertThat(ReseedPrecondition.whyNot(() -> stuck, Duration.ofMillis(300)))
        .contains("n3 has applied up to 80, the leader n2 committed 100");
  }
}
