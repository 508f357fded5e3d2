package io.pachyderm.node;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entities for the messaging tests: senders that number what they send per receiver, receivers
 * that count what arrives per sender and note every gap or repeat, alarms with durable timers,
 * and jobs with at-least-once effects.
 */
final class TestMessaging {
  private TestMessaging() {}

  static final String FLAKY_HANDLER = "flaky";

  // ---- sender ---------------------------------------------------------------------------

  /** {@code sentTo}: receiver id -> messages sent to it (committed). */
  record SenderState(Map<String, Long> sentTo) {}

  sealed interface SenderCommand permits Blast {}

  /** Send {@code count} numbered messages to each receiver. */
  record Blast(List<String> receivers, int count) implements SenderCommand {}

  sealed interface SenderEvent permits Blasted {}

  record Blasted(List<String> receivers, int count) implements SenderEvent {}

  static final class Sender implements Entity<SenderState, SenderCommand, SenderEvent> {
    @Override
    public SenderState initial(String id) {
      return new SenderState(new TreeMap<>());
    }

    @Override
    public Decision<SenderEvent> handle(SenderCommand command, SenderState state, Context ctx) {
      Blast b = (Blast) command;
      Decision<SenderEvent> d = Decision.emit(new Blasted(b.receivers(), b.count()));
      for (String r : b.receivers()) {
        long next = state.sentTo().getOrDefault(r, 0L);
        for (int i = 1; i <= b.count(); i++) {
          d = d.send(RECEIVER.ref(r), new Receive(ctx.id(), next + i));
        }
      }
      return d;
    }

    @Override
    public SenderState apply(SenderEvent event, SenderState state) {
      Blasted b = (Blasted) event;
      TreeMap<String, Long> sent = new TreeMap<>(state.sentTo());
      for (String r : b.receivers()) {
        sent.merge(r, (long) b.count(), Long::sum);
      }
      return new SenderState(sent);
    }
  }

  // ---- receiver -------------------------------------------------------------------------

  /** {@code lastFrom}: sender -> highest number received; {@code anomalies}: gaps and repeats. */
  record ReceiverState(Map<String, Long> lastFrom, long received, List<String> anomalies) {}

  sealed interface ReceiverCommand permits Receive {}

  record Receive(String from, long number) implements ReceiverCommand {}

  sealed interface ReceiverEvent permits Received {}

  record Received(String from, long number, String sender) implements ReceiverEvent {}

  static final class Receiver implements Entity<ReceiverState, ReceiverCommand, ReceiverEvent> {
    @Override
    public ReceiverState initial(String id) {
      return new ReceiverState(new TreeMap<>(), 0, List.of());
    }

    @Override
    public Decision<ReceiverEvent> handle(ReceiverCommand command, ReceiverState state, Context ctx) {
      Receive r = (Receive) command;
      return Decision.emit(new Received(r.from(), r.number(), ctx.sender().map(Object::toString).orElse("client")));
    }

    @Override
    public ReceiverState apply(ReceiverEvent event, ReceiverState state) {
      Received r = (Received) event;
      TreeMap<String, Long> last = new TreeMap<>(state.lastFrom());
      long previous = last.getOrDefault(r.from(), 0L);
      List<String> anomalies = state.anomalies();
      if (r.number() != previous + 1 || !r.sender().equals(SENDER.name() + "/" + r.from())) {
        anomalies = new java.util.ArrayList<>(anomalies);
        anomalies.add(r.from() + ": got " + r.number() + " after " + previous + " via " + r.sender());
        anomalies = List.copyOf(anomalies);
      }
      last.put(r.from(), Math.max(previous, r.number()));
      return new ReceiverState(last, state.received() + 1, anomalies);
    }
  }

  // ---- alarm: durable timers ------------------------------------------------------------

  record AlarmState(Map<String, Long> rings) {}

  sealed interface AlarmCommand permits Arm, Disarm, Ring {}

  /** Arm timer {@code name} to ring {@code target} (an alarm id; null = self) after {@code delayMs}. */
  record Arm(String name, long delayMs, String target) implements AlarmCommand {}

  record Disarm(String name) implements AlarmCommand {}

  record Ring(String name) implements AlarmCommand {}

  sealed interface AlarmEvent permits Rang {}

  record Rang(String name) implements AlarmEvent {}

  static final class Alarm implements Entity<AlarmState, AlarmCommand, AlarmEvent> {
    @Override
    public AlarmState initial(String id) {
      return new AlarmState(new TreeMap<>());
    }

    @Override
    public Decision<AlarmEvent> handle(AlarmCommand command, AlarmState state, Context ctx) {
      if (command instanceof Arm a) {
        Duration delay = Duration.ofMillis(a.delayMs());
        return a.target() == null
            ? Decision.<AlarmEvent>none().schedule(a.name(), delay, new Ring(a.name()))
            : Decision.<AlarmEvent>none().schedule(a.name(), delay, ALARM.ref(a.target()), new Ring(a.name()));
      }
      if (command instanceof Disarm d) {
        return Decision.<AlarmEvent>none().cancelTimer(d.name());
      }
      return Decision.emit(new Rang(((Ring) command).name()));
    }

    @Override
    public AlarmState apply(AlarmEvent event, AlarmState state) {
      TreeMap<String, Long> rings = new TreeMap<>(state.rings());
      rings.merge(((Rang) event).name(), 1L, Long::sum);
      return new AlarmState(rings);
    }
  }

  // ---- job: at-least-once effects -------------------------------------------------------

  record JobState(long runs) {}

  sealed interface JobCommand permits Run {}

  record Run(long n) implements JobCommand {}

  sealed interface JobEvent permits Ran {}

  record Ran(long n) implements JobEvent {}

  /** The effect payload: which job and run. */
  record Work(String job, long n) {}

  static final class Job implements Entity<JobState, JobCommand, JobEvent> {
    @Override
    public JobState initial(String id) {
      return new JobState(0);
    }

    @Override
    public Decision<JobEvent> handle(JobCommand command, JobState state, Context ctx) {
      Run r = (Run) command;
      return Decision.<JobEvent>emit(new Ran(r.n())).effectAtLeastOnce(FLAKY_HANDLER, new Work(ctx.id(), r.n()));
    }

    @Override
    public JobState apply(JobEvent event, JobState state) {
      return new JobState(state.runs() + 1);
    }
  }

  static final EntityType<SenderState, SenderCommand, SenderEvent> SENDER =
      EntityType.builder("test-sender", new Sender(), SenderState.class, SenderCommand.class, SenderEvent.class)
          .build();
  static final EntityType<ReceiverState, ReceiverCommand, ReceiverEvent> RECEIVER =
      EntityType.builder("test-receiver", new Receiver(), ReceiverState.class, ReceiverCommand.class,
          ReceiverEvent.class).build();
  static final EntityType<AlarmState, AlarmCommand, AlarmEvent> ALARM =
      EntityType.builder("test-alarm", new Alarm(), AlarmState.class, AlarmCommand.class, AlarmEvent.class).build();
  static final EntityType<JobState, JobCommand, JobEvent> JOB =
      EntityType.builder("test-job", new Job(), JobState.class, JobCommand.class, JobEvent.class)
          .types(Work.class).build();

  static final EntityTypes TYPES = EntityTypes.of(SENDER, RECEIVER, ALARM, JOB);
}
