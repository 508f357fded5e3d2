package io.pachyderm.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Outbox sequence numbers in a world's identity: two client commands to one sender, each sending a
 * message to another entity, give those messages sequence numbers 1 and 2 in the order the sender
 * handles the commands. Nothing but the numbers tells the two orders' worlds apart, and a receiver
 * sees them only as the seed of its {@code Context.random()}.
 */
class SeqIdentityTest {
  record Rolls(long last) {}

  sealed interface Cmd permits Send, Hit {}

  /** Sends {@code Hit(dice)} to {@code to}. */
  record Send(String to, boolean dice) implements Cmd {}

  /** Records a random number (dice) or 1. */
  record Hit(boolean dice) implements Cmd {}

  sealed interface Evt permits Rolled {}

  record Rolled(long value) implements Evt {}

  static final class Node implements Entity<Rolls, Cmd, Evt> {
    @Override
    public Rolls initial(String id) {
      return new Rolls(0);
    }

    @Override
    public Decision<Evt> handle(Cmd command, Rolls state, Context ctx) {
      if (command instanceof Send s) {
        return Decision.<Evt>none().send(NODE.ref(s.to()), new Hit(s.dice()));
      }
      return Decision.emit(new Rolled(((Hit) command).dice() ? ctx.random().nextLong() : 1));
    }

    @Override
    public Rolls apply(Evt event, Rolls state) {
      return new Rolls(((Rolled) event).value());
    }
  }

  static final EntityType<Rolls, Cmd, Evt> NODE =
      EntityType.builder("node", new Node(), Rolls.class, Cmd.class, Evt.class).build();

  private static Explorer sendingTwo(boolean dice) {
    return Explorer.of(EntityTypes.of(NODE))
        .command(NODE.ref("s"), new Send("b", dice))
        .command(NODE.ref("s"), new Send("c", dice));
  }

  /** The world after the sender handled both commands: to b first ("0,0") or to c first ("1,0"). */
  private static World afterBoth(Explorer explorer, String schedule) {
    List<Step> steps = explorer.replay(Schedule.parse(schedule));
    assertThat(steps).hasSize(2).allSatisfy(s -> assertThat(s.failure()).isNull());
    return steps.get(1).after();
  }

  private static long seqTo(World w, String receiver) {
    return w.inFlight().stream().filter(i -> i.to().id().equals(receiver)).findFirst().orElseThrow().seq();
  }

  @Test
  void worldsThatDifferOnlyInSequenceNumbersAreEqualUnlessTheNumbersCount() {
    Explorer explorer = sendingTwo(false);
    World bFirst = afterBoth(explorer, "0,0");
    World cFirst = afterBoth(explorer, "1,0");
    assertThat(seqTo(bFirst, "b")).isEqualTo(1);
    assertThat(seqTo(cFirst, "b")).isEqualTo(2);

    assertThat(bFirst.fingerprint(World.SeqIdentity.RELATIVE))
        .isEqualTo(cFirst.fingerprint(World.SeqIdentity.RELATIVE));
    assertThat(bFirst.fingerprint(World.SeqIdentity.ABSOLUTE))
        .isNotEqualTo(cFirst.fingerprint(World.SeqIdentity.ABSOLUTE));
    assertThat(bFirst.fingerprint()).as("the public fingerprint counts the numbers")
        .isEqualTo(bFirst.fingerprint(World.SeqIdentity.ABSOLUTE));
  }

  @Test
  void withoutRandomnessTheExplorerMergesThoseWorldsAndFindsTheSameFinalWorlds() {
    Exploration merged = sendingTwo(false).exhaust();
    Exploration exact = sendingTwo(false).exhaust(World.SeqIdentity.ABSOLUTE);

    assertThat(merged.complete()).isTrue();
    assertThat(merged.statesVisited()).isLessThan(exact.statesVisited());
    assertThat(merged.finals()).hasSize(1);
    assertThat(exact.finals()).hasSize(1);
    assertThat(merged.finals().get(0).world().outcome()).isEqualTo(exact.finals().get(0).world().outcome());
  }

  @Test
  void aReceiverDrawingRandomnessMakesTheNumbersPartOfTheIdentity() {
    World bFirst = afterBoth(sendingTwo(true), "0,0");
    Transition deliverToB = Engine.enabled(bFirst, Rules.DEFAULT, 0).get(0);
    assertThat(Engine.apply(bFirst, deliverToB, Rules.DEFAULT).after().seqSeededDraw()).isTrue();
    assertThat(sendingTwo(true).exhaust(World.SeqIdentity.RELATIVE)).as("the merging exploration gives up").isNull();

    Exploration e = sendingTwo(true).exhaust();
    Exploration exact = sendingTwo(true).exhaust(World.SeqIdentity.ABSOLUTE);
    // b rolls with its message's number as the seed: 1 when the sender handled b's command first,
    // 2 otherwise, and c the other way round. Merged, only one of the two endings would be found.
    assertThat(e.finals()).hasSize(2);
    assertThat(e.statesVisited()).isEqualTo(exact.statesVisited());
  }

  @Test
  void aDrawOnAClientCommandDoesNotCountItsSeedComesFromTheRequestId() {
    World start = Explorer.of(EntityTypes.of(NODE)).command(NODE.ref("b"), new Hit(true)).start();
    Step step = Engine.apply(start, Engine.enabled(start, Rules.DEFAULT, 0).get(0), Rules.DEFAULT);

    assertThat(step.failure()).isNull();
    assertThat(step.after().seqSeededDraw()).isFalse();
  }
}
