package io.pachyderm.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leader work's deadlines: due order, ties in the order added, cancellation, the per-call bound. */
class DeadlinesTest {
  private final Deadlines deadlines = new Deadlines();
  private final List<String> ran = new ArrayList<>();

  @Test
  void dueTasksRunEarliestFirstAndTiesInTheOrderTheyWereAdded() {
    deadlines.at(30, () -> ran.add("c"));
    deadlines.at(10, () -> ran.add("a1"));
    deadlines.at(10, () -> ran.add("a2"));
    deadlines.at(20, () -> ran.add("b"));

    assertThat(deadlines.runDue(19, Runnable::run, 100)).isEqualTo(2);
    assertThat(ran).containsExactly("a1", "a2");
    assertThat(deadlines.nextAtNs()).isEqualTo(20);
    assertThat(deadlines.runDue(30, Runnable::run, 100)).isEqualTo(2);
    assertThat(ran).containsExactly("a1", "a2", "b", "c");
    assertThat(deadlines.nextAtNs()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aCancelledTaskNeverRunsAndDoesNotCountAsTheNextDeadline() {
    Deadlines.Wake early = deadlines.at(10, () -> ran.add("early"));
    deadlines.at(20, () -> ran.add("late"));
    early.cancel();

    assertThat(deadlines.nextAtNs()).isEqualTo(20);
    assertThat(deadlines.runDue(100, Runnable::run, 100)).isEqualTo(1);
    assertThat(ran).containsExactly("late");
  }

  @Test
  void oneCallRunsAtMostTasksMaxAndATaskItAddsThatIsDueRunsInTheSameCall() {
    for (int i = 0; i < 5; i++) {
      int n = i;
      deadlines.at(0, () -> ran.add("t" + n));
    }
    assertThat(deadlines.runDue(0, Runnable::run, 3)).isEqualTo(3);
    assertThat(deadlines.runDue(0, Runnable::run, 3)).isEqualTo(2);

    deadlines.at(5, () -> deadlines.at(5, () -> ran.add("added while running")));
    assertThat(deadlines.runDue(5, Runnable::run, 10)).isEqualTo(2);
    assertThat(ran).endsWith("added while running");
  }
}
