package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.api.Entities;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local (embedded) ecosystem keeps state across close/reopen; ecosystems isolate entities. */
class EcosystemAndLocalTest {
  @TempDir
  Path dir;

  private final EntityRef<TestCounter.State, TestCounter.Command> ref = TestCounter.TYPE.ref("shared-name");

  @Test
  void theSameReferenceInTwoEcosystemsIsTwoEntities() {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES).open()) {
      Entities a = local.ecosystem("test-a");
      Entities b = local.ecosystem("test-b");
      a.call(ref, new TestCounter.Add(5));
      b.call(ref, new TestCounter.Add(7));
      assertThat(a.query(ref).state().count()).isEqualTo(5);
      assertThat(b.query(ref).state().count()).isEqualTo(7);
      assertThat(local.query(ref).version()).as("the default ecosystem is a third one").isZero();
      assertThatThrownBy(() -> local.ecosystem("bad name!"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad name!");
    }
  }

  @Test
  void everyEntityRemembersItsStateAfterCloseAndReopen() {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES)
        .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .snapshotThresholdEntries(7).open()) {
      for (int i = 0; i < 30; i++) {
        local.call(TestCounter.TYPE.ref("e" + (i % 3)), new TestCounter.Add(1));
      }
      local.ecosystem("other").call(ref, new TestCounter.Add(3));
    }
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES)
        .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .open()) {
      for (int e = 0; e < 3; e++) {
        assertThat(local.query(TestCounter.TYPE.ref("e" + e)).state().count()).isEqualTo(10);
      }
      assertThat(local.ecosystem("other").query(ref).state().count()).isEqualTo(3);
      assertThat(local.call(TestCounter.TYPE.ref("e0"), new TestCounter.Add(1)).version()).isEqualTo(11);
    }
  }

  @Test
  void historyOutlivesSnapshotsAndRestartsAndFollowSeesNewEvents() throws Exception {
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES)
        .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .snapshotThresholdEntries(5).open()) {
      for (int i = 1; i <= 25; i++) {
        local.call(ref, new TestCounter.Add(i));
      }
      local.ecosystem("other").call(ref, new TestCounter.Add(100));
    }
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES)
        .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .open()) {
      var history = local.history(ref, 1);
      assertThat(history).hasSize(25);
      for (int i = 0; i < 25; i++) {
        assertThat(history.get(i).version()).isEqualTo(i + 1);
        assertThat(history.get(i).event(TestCounter.Added.class).by()).isEqualTo(i + 1);
      }
      assertThat(local.ecosystem("other").history(ref, 1)).hasSize(1);

      io.pachyderm.api.Follow<TestCounter.State> follow = local.follow(ref);
      local.call(ref, new TestCounter.Add(1_000));
      var start = follow.poll(java.time.Duration.ofSeconds(10));
      assertThat(start.isStartingState()).isTrue();
      assertThat(start.version()).isEqualTo(25);
      var next = follow.poll(java.time.Duration.ofSeconds(10));
      assertThat(next.version()).isEqualTo(26);
      assertThat(next.state().count()).isEqualTo(325 + 1_000);
      assertThat(next.event().causation()).isInstanceOf(io.pachyderm.api.Causation.Request.class);
      follow.close();
    }
  }

  @Test
  void cleanRestartsLeaveNoGapMarkerInTheJournal() throws Exception {
    for (int run = 0; run < 3; run++) {
      // Each open starts a new term (a Raft entry without events) and each close takes a snapshot
      // past it: the journal ends before the snapshot's index, yet nothing is missing.
      try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(TestCounter.TYPES)
          .effectHandler(TestCluster.COUNTING_HANDLER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
          .open()) {
        local.call(ref, new TestCounter.Add(1));
      }
    }
    int gaps = 0;
    int records = 0;
    try (var queue = net.openhft.chronicle.queue.ChronicleQueue.singleBuilder(dir.resolve("journal")).readOnly(true)
        .build(); var tailer = queue.createTailer()) {
      for (;;) {
        try (var dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          var entry = io.pachyderm.protocol.JournalEntry.parseFrom(dc.wire().bytes().toByteArray());
          gaps += entry.hasGap() ? 1 : 0;
          records += entry.hasRecord() ? 1 : 0;
        }
      }
    }
    assertThat(records).isEqualTo(3);
    assertThat(gaps).isZero();
  }
}
