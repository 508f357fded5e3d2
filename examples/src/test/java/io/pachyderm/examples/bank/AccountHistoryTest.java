package io.pachyderm.examples.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.Causation;
import io.pachyderm.api.Change;
import io.pachyderm.api.Entities;
import io.pachyderm.api.Follow;
import io.pachyderm.api.HistoryEvent;
import io.pachyderm.examples.testkit.Await;
import io.pachyderm.examples.testkit.Locals;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "History and follow" example, on the embedded store: it must compile and hold. */
class AccountHistoryTest {
  @TempDir
  Path dir;

  @Test
  void theReadmeHistoryAndFollowExampleWorks() throws Exception {
    try (LocalPachyderm local = Locals.open(dir)) {
      Entities entities = local;
      entities.call(Account.TYPE.ref("alice"), new Account.Transfer("t1", "bob", 10_00));
      entities.call(Account.TYPE.ref("bob"), new Account.Transfer("t2", "alice", 3_00));
      Await.until("bob's credit reached alice", () -> entities.query(Account.TYPE.ref("alice")).version() >= 2,
          () -> entities.query(Account.TYPE.ref("alice")));

      // --- as in README.md ---
      List<HistoryEvent> all = entities.history(Account.TYPE.ref("alice"), 1);
      for (HistoryEvent e : all) {
        System.out.println(e.version() + " " + e.timestamp() + " " + e.event() + " <- " + e.causation());
      }
      long resumeAt;
      Change<Account.State> c;
      try (Follow<Account.State> follow = entities.follow(Account.TYPE.ref("alice"))) {
        c = follow.poll(Duration.ofSeconds(30));
        resumeAt = follow.lastVersion() + 1;
      }
      // --- end of the README example ---

      assertThat(all).extracting(HistoryEvent::version).containsExactly(1L, 2L);
      assertThat(all.get(0).causation()).isInstanceOf(Causation.Request.class);
      assertThat(all.get(1).causation()).isInstanceOfSatisfying(Causation.Message.class,
          m -> assertThat(m.source()).isEqualTo(io.pachyderm.entity.EntityRef.of(Account.TYPE.name(), "bob")));
      assertThat(c.isStartingState()).isTrue();
      assertThat(c.version()).isEqualTo(2);
      assertThat(resumeAt).isEqualTo(3);

      try (Follow<Account.State> resumed = entities.follow(Account.TYPE.ref("alice"), resumeAt, true)) {
        entities.call(Account.TYPE.ref("alice"), new Account.Transfer("t3", "bob", 1_00));
        Change<Account.State> next = resumed.poll(Duration.ofSeconds(30));
        assertThat(next.version()).isEqualTo(3);
        assertThat(next.state()).isEqualTo(entities.query(Account.TYPE.ref("alice")).state());
      }
    }
  }
}
