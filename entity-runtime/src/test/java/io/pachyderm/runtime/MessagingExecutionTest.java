package io.pachyderm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.api.RejectionKind;
import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityRef;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What CommandExecutor makes of messages, timers, effect guarantees and the sender. */
class MessagingExecutionTest {
  record State(String lastSender) {}

  sealed interface Command permits Forward, ForwardWrongClass, ForwardToUnknown, Timers, WhoSent, Reliable {}

  record Forward(String to, String text) implements Command {}

  record ForwardWrongClass(String to) implements Command {}

  record ForwardToUnknown() implements Command {}

  record Timers() implements Command {}

  record WhoSent() implements Command {}

  record Reliable() implements Command {}

  sealed interface Event permits Noted {}

  record Noted(String sender) implements Event {}

  record Note(String text) {}

  /** A command of the other type. */
  sealed interface SinkCommand permits Put {}

  record Put(String text) implements SinkCommand {}

  static final class Relay implements Entity<State, Command, Event> {
    @Override
    public State initial(String id) {
      return new State("");
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Decision<Event> handle(Command command, State state, Context ctx) {
      if (command instanceof Forward f) {
        return Decision.message(SINK.ref(f.to()), new Put(f.text()));
      }
      if (command instanceof ForwardWrongClass f) {
        // Bypasses the compile-time check the way a raw/untyped ref would.
        EntityRef raw = EntityRef.of(SINK.name(), f.to());
        return Decision.<Event>none().send(raw, new Note("not a sink command"));
      }
      if (command instanceof ForwardToUnknown) {
        return Decision.<Event>none().send(EntityRef.of("no-such-type", "x"), new Put("?"));
      }
      if (command instanceof Timers) {
        return Decision.<Event>none()
            .schedule("in-5s", Duration.ofSeconds(5), new WhoSent())
            .scheduleAt("at", Instant.ofEpochMilli(42), SINK.ref("s"), new Put("hi"))
            .cancelTimer("old");
      }
      if (command instanceof Reliable) {
        return Decision.<Event>none().effectAtLeastOnce("mailer", new Note("a")).effect("mailer", new Note("b"));
      }
      return Decision.emit(new Noted(ctx.sender().map(Object::toString).orElse("-")));
    }

    @Override
    public State apply(Event event, State state) {
      return new State(((Noted) event).sender());
    }
  }

  static final class Sink implements Entity<State, SinkCommand, Event> {
    @Override
    public State initial(String id) {
      return new State("");
    }

    @Override
    public Decision<Event> handle(SinkCommand command, State state, Context ctx) {
      return Decision.none();
    }

    @Override
    public State apply(Event event, State state) {
      return state;
    }
  }

  static final EntityType<State, Command, Event> RELAY =
      EntityType.builder("relay", new Relay(), State.class, Command.class, Event.class).types(Note.class).build();
  static final EntityType<State, SinkCommand, Event> SINK =
      EntityType.builder("sink", new Sink(), State.class, SinkCommand.class, Event.class).build();
  static final EntityTypes TYPES = EntityTypes.of(RELAY, SINK);
  static final EntityKey ME = new EntityKey("eco", "relay", "me");
  static final long NOW_MS = 1_000_000;

  private static Execution run(Command command, EntityKey sender) {
    return CommandExecutor.execute(RELAY, new State(""), 3,
        new CommandExecutor.Request(ME, RELAY.codec().encode(command), NOW_MS, 7, false, sender),
        "mailer"::equals, TYPES);
  }

  @Test
  void aMessageIsEncodedWithTheTargetsCodecAndStaysInTheSendersEcosystem() {
    Execution.Accepted a = (Execution.Accepted) run(new Forward("s1", "hello"), null);

    assertThat(a.messages()).hasSize(1);
    EncodedMessage m = a.messages().get(0);
    assertThat(m.to()).isEqualTo(new EntityKey("eco", "sink", "s1"));
    assertThat(SINK.codec().decode(m.command())).isEqualTo(new Put("hello"));
  }

  @Test
  void aMessageWhoseCommandIsNotTheTargetsCommandRejectsTheSendingCommand() {
    Execution.Rejected r = (Execution.Rejected) run(new ForwardWrongClass("s1"), null);

    assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_DECISION);
    assertThat(r.message()).contains("is not a command of sink").contains("Note");
  }

  @Test
  void aMessageToAnUnregisteredTypeRejectsTheSendingCommandNamingTheType() {
    Execution.Rejected r = (Execution.Rejected) run(new ForwardToUnknown(), null);

    assertThat(r.kind()).isEqualTo(RejectionKind.INVALID_DECISION);
    assertThat(r.message()).contains("no-such-type").contains("registered");
  }

  @Test
  void timersGetDueTimesFromTheLeadersClockAndDefaultToTheOwner() {
    Execution.Accepted a = (Execution.Accepted) run(new Timers(), null);

    assertThat(a.timers()).containsExactly(
        EncodedTimer.schedule("in-5s", ME, RELAY.codec().encode(new WhoSent()), NOW_MS + 5_000),
        EncodedTimer.schedule("at", new EntityKey("eco", "sink", "s"), SINK.codec().encode(new Put("hi")), 42),
        EncodedTimer.cancelled("old"));
  }

  @Test
  void theSenderOfAMessageIsVisibleToHandleAndAbsentForClients() {
    Execution.Accepted fromEntity = (Execution.Accepted) run(new WhoSent(), new EntityKey("eco", "relay", "other"));
    Execution.Accepted fromClient = (Execution.Accepted) run(new WhoSent(), null);

    assertThat(RELAY.codec().decode(fromEntity.events().get(0))).isEqualTo(new Noted("relay/other"));
    assertThat(RELAY.codec().decode(fromClient.events().get(0))).isEqualTo(new Noted("-"));
  }

  @Test
  void eachEffectCarriesItsGuarantee() {
    Execution.Accepted a = (Execution.Accepted) run(new Reliable(), null);

    assertThat(a.effects()).extracting(EncodedEffect::atLeastOnce).containsExactly(true, false);
  }
}
