package io.pachyderm.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionTest {
  record Increased(int by) {}

  record Mail(String to) {}

  @Test
  void emitKeepsEventsInOrderWithNoEffectsAndTheStateAsReply() {
    Decision<Increased> d = Decision.emit(new Increased(1), new Increased(2));

    assertThat(d.events()).containsExactly(new Increased(1), new Increased(2));
    assertThat(d.effects()).isEmpty();
    assertThat(d.reply()).isNull();
    assertThat(d.isRejected()).isFalse();
    assertThat(d.rejection()).isNull();
  }

  @Test
  void noneAcceptsWithoutEventsEffectsOrExplicitReply() {
    Decision<Increased> d = Decision.none();

    assertThat(d.events()).isEmpty();
    assertThat(d.effects()).isEmpty();
    assertThat(d.reply()).isNull();
    assertThat(d.isRejected()).isFalse();
  }

  @Test
  void emitCopiesTheCallersListSoLaterChangesDoNotLeakIn() {
    List<Increased> mine = new ArrayList<>(List.of(new Increased(1)));
    Decision<Increased> d = Decision.emit(mine);

    mine.add(new Increased(2));
    mine.set(0, new Increased(99));

    assertThat(d.events()).containsExactly(new Increased(1));
  }

  @Test
  void emitCopiesTheCallersArraySoLaterChangesDoNotLeakIn() {
    Increased[] mine = {new Increased(1), new Increased(2)};
    Decision<Increased> d = Decision.emit(mine);

    mine[0] = new Increased(99);

    assertThat(d.events()).containsExactly(new Increased(1), new Increased(2));
  }

  @Test
  void eventAndEffectListsCannotBeModifiedThroughTheirAccessors() {
    Decision<Increased> d = Decision.emit(new Increased(1)).effect("mailer", new Mail("ops"));

    assertThatThrownBy(() -> d.events().add(new Increased(2))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> d.effects().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void effectAndReplyReturnNewDecisionsAndLeaveTheOriginalUnchanged() {
    Decision<Increased> base = Decision.emit(new Increased(1));

    Decision<Increased> withEffect = base.effect("mailer", new Mail("ops"));
    Decision<Increased> withReply = withEffect.reply("done");

    assertThat(base.effects()).isEmpty();
    assertThat(base.reply()).isNull();
    assertThat(withEffect).isNotSameAs(base);
    assertThat(withEffect.effects()).containsExactly(new Effect("mailer", new Mail("ops")));
    assertThat(withEffect.reply()).isNull();
    assertThat(withReply.reply()).isEqualTo("done");
    assertThat(withReply.events()).containsExactly(new Increased(1));
    assertThat(withReply.effects()).containsExactly(new Effect("mailer", new Mail("ops")));
  }

  @Test
  void effectsAccumulateInTheOrderTheyWereAdded() {
    Decision<Increased> d = Decision.emit(new Increased(1))
        .effect("mailer", new Mail("a"))
        .effect("pager", new Mail("b"))
        .effect("mailer", new Mail("c"));

    assertThat(d.effects()).extracting(Effect::handler).containsExactly("mailer", "pager", "mailer");
    assertThat(d.effects()).extracting(Effect::payload)
        .containsExactly(new Mail("a"), new Mail("b"), new Mail("c"));
  }

  @Test
  void effectIfAddsTheEffectOnlyWhenTheConditionHolds() {
    Decision<Increased> base = Decision.emit(new Increased(1));

    assertThat(base.effectIf(false, "mailer", new Mail("ops"))).isSameAs(base);
    assertThat(base.effectIf(true, "mailer", new Mail("ops")).effects())
        .containsExactly(new Effect("mailer", new Mail("ops")));
  }

  @Test
  void rejectCarriesTheReasonAndNothingElse() {
    Decision<Increased> d = Decision.reject("insufficient funds");

    assertThat(d.isRejected()).isTrue();
    assertThat(d.rejection()).isEqualTo("insufficient funds");
    assertThat(d.events()).isEmpty();
    assertThat(d.effects()).isEmpty();
    assertThat(d.reply()).isNull();
  }

  @Test
  void aRejectedDecisionRefusesAnEffect() {
    Decision<Increased> d = Decision.reject("no");

    assertThatThrownBy(() -> d.effect("mailer", new Mail("ops")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rejected decision cannot carry a effect");
    assertThatThrownBy(() -> d.effectIf(true, "mailer", new Mail("ops")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRejectedDecisionRefusesAReply() {
    Decision<Increased> d = Decision.reject("no");

    assertThatThrownBy(() -> d.reply("yes"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rejected decision cannot carry a reply");
  }

  @Test
  void aNullEventAmongVarargsIsRefused() {
    assertThatThrownBy(() -> Decision.emit(new Increased(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("events must not contain null");
  }

  @Test
  void aNullEventInAListIsRefused() {
    List<Increased> withNull = Arrays.asList(new Increased(1), null);

    assertThatThrownBy(() -> Decision.emit(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("events must not contain null");
  }

  @Test
  void nullReasonReplyAndEffectPartsAreRefused() {
    Decision<Increased> d = Decision.none();

    assertThatThrownBy(() -> Decision.reject(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> d.reply(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> d.effect(null, new Mail("ops"))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> d.effect("mailer", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aBlankEffectHandlerNameIsRefused() {
    assertThatThrownBy(() -> Decision.none().effect("  ", new Mail("ops")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
  }

  @Test
  void messagesTimersAndGuaranteesAccumulateInOrder() {
    EntityRef<Object, Object> bob = EntityRef.of("player", "bob");
    Decision<Increased> d = Decision.<Increased>none().send(bob, new Mail("ping"))
        .send(bob, new Mail("again"))
        .effectAtLeastOnce("mailer", new Mail("ops"))
        .schedule("t1", java.time.Duration.ofSeconds(1), new Mail("later"))
        .cancelTimer("t0");

    assertThat(d.messages()).containsExactly(new Envelope(bob, new Mail("ping")), new Envelope(bob, new Mail("again")));
    assertThat(d.effects()).containsExactly(new Effect("mailer", new Mail("ops"), EffectGuarantee.AT_LEAST_ONCE));
    assertThat(d.timers()).hasSize(2);
    assertThat(d.timers().get(1)).isEqualTo(new TimerRequest.Cancel("t0"));
    assertThat(d.events()).isEmpty();
  }

  @Test
  void messageIsNoneWithOneMessage() {
    EntityRef<Object, Object> bob = EntityRef.of("player", "bob");
    Decision<Increased> d = Decision.message(bob, new Mail("ping"));

    assertThat(d.messages()).containsExactly(new Envelope(bob, new Mail("ping")));
    assertThat(d.events()).isEmpty();
    assertThat(d.isRejected()).isFalse();
  }

  @Test
  void aRejectedDecisionCarriesNoMessageOrTimer() {
    Decision<Increased> rejected = Decision.reject("no");

    assertThatThrownBy(() -> rejected.send(EntityRef.of("player", "bob"), new Mail("x")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("message");
    assertThatThrownBy(() -> rejected.cancelTimer("t")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badTimerRequestsAreRefusedNamingTheProblem() {
    Decision<Increased> d = Decision.none();

    assertThatThrownBy(() -> d.schedule(" ", java.time.Duration.ofSeconds(1), new Mail("x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timer name");
    assertThatThrownBy(() -> d.schedule("t", java.time.Duration.ofMillis(-1), new Mail("x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative delay");
    assertThatThrownBy(() -> d.schedule("t", java.time.Duration.ofMillis(1), null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> d.cancelTimer("x".repeat(TimerRequest.NAME_LENGTH_MAX + 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
