package io.pachyderm.entity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Entity#handle}, as data: events to persist, effects to dispatch after
 * commit, messages to other entities, timers to schedule or cancel, and an optional reply; or a
 * rejection, which writes nothing and sends nothing.
 *
 * <p>Immutable: every method returns a new decision. The reply defaults to the entity's state
 * after the events are applied.
 *
 * <pre>{@code
 * return Decision.emit(new Debited(t.amount(), t.to()))
 *     .send(Account.TYPE.ref(t.to()), new Credit(t.amount(), ctx.id()))
 *     .effectAtLeastOnce("ledger", new TransferRecorded(t.id()))
 *     .schedule("statement", Duration.ofDays(1), new SendStatement())
 *     .reply(new Receipt(t.id()));
 * }</pre>
 *
 * <p>Everything except the reply takes effect only if the events commit: messages are delivered
 * exactly once after commit, timers become durable at commit, effects are dispatched after
 * commit with their {@link EffectGuarantee}.
 *
 * @param <E> the entity's event type
 */
public final class Decision<E> {
  private final List<E> events;
  private final List<Effect> effects;
  private final List<Envelope> messages;
  private final List<TimerRequest> timers;
  private final Object reply;
  private final String rejection;

  private Decision(List<E> events, List<Effect> effects, List<Envelope> messages, List<TimerRequest> timers,
                   Object reply, String rejection) {
    this.events = events;
    this.effects = effects;
    this.messages = messages;
    this.timers = timers;
    this.reply = reply;
    this.rejection = rejection;
  }

  /** Persist these events (in order). */
  @SafeVarargs
  public static <E> Decision<E> emit(E... events) {
    return emit(Arrays.asList(events));
  }

  /** Persist these events (in order). */
  public static <E> Decision<E> emit(List<? extends E> events) {
    List<E> copy = new ArrayList<>(events.size());
    for (E event : events) {
      copy.add(Objects.requireNonNull(event, "events must not contain null"));
    }
    return new Decision<>(List.copyOf(copy), List.of(), List.of(), List.of(), null, null);
  }

  /** Accept the command without changing state (the reply is the current state). */
  public static <E> Decision<E> none() {
    return new Decision<>(List.of(), List.of(), List.of(), List.of(), null, null);
  }

  /**
   * Accept without events and send one message: {@code Decision.message(to, command)} is
   * {@code Decision.<E>none().send(to, command)} without the type witness.
   */
  public static <E, C> Decision<E> message(EntityRef<?, C> to, C command) {
    return Decision.<E>none().send(to, command);
  }

  /** Refuse the command; nothing is written and the caller gets a rejection carrying {@code reason}. */
  public static <E> Decision<E> reject(String reason) {
    Objects.requireNonNull(reason, "reason");
    return new Decision<>(List.of(), List.of(), List.of(), List.of(), null, reason);
  }

  /** Also dispatch {@code payload} to the effect handler registered as {@code handler}, after commit, at most once. */
  public Decision<E> effect(String handler, Object payload) {
    return effect(new Effect(handler, payload));
  }

  /**
   * Also dispatch {@code payload} to the effect handler {@code handler} after commit, at least
   * once: retried until the handler returns normally or the node's attempt limit moves it to the
   * dead-letter store. See {@link EffectGuarantee#AT_LEAST_ONCE}.
   */
  public Decision<E> effectAtLeastOnce(String handler, Object payload) {
    return effect(new Effect(handler, payload, EffectGuarantee.AT_LEAST_ONCE));
  }

  /** Also dispatch {@code effect} after commit, with its guarantee. */
  public Decision<E> effect(Effect effect) {
    requireAccepted("effect");
    return new Decision<>(events, append(effects, Objects.requireNonNull(effect, "effect")), messages, timers,
        reply, null);
  }

  /** {@link #effect(String, Object)} when {@code condition} holds; this decision unchanged otherwise. */
  public Decision<E> effectIf(boolean condition, String handler, Object payload) {
    return condition ? effect(handler, payload) : this;
  }

  /**
   * Also send {@code command} to the entity {@code to} (same ecosystem), exactly once, after this
   * decision commits. The receiver runs it like any command (creating itself if new) and sees
   * this entity as {@link Context#sender()}. Order from one sender to one receiver is kept.
   */
  public <C> Decision<E> send(EntityRef<?, C> to, C command) {
    requireAccepted("message");
    return new Decision<>(events, effects, append(messages, new Envelope(to, command)), timers, reply, null);
  }

  /** Schedule {@code command} to this entity after {@code delay}; replaces a pending timer of the same name. */
  public Decision<E> schedule(String timer, Duration delay, Object command) {
    return timer(new TimerRequest.Schedule(timer, null, Objects.requireNonNull(delay, "delay"), null, command));
  }

  /** Schedule {@code command} to {@code target} after {@code delay}; the timer is owned by this entity. */
  public <C> Decision<E> schedule(String timer, Duration delay, EntityRef<?, C> target, C command) {
    return timer(new TimerRequest.Schedule(timer, Objects.requireNonNull(target, "target"),
        Objects.requireNonNull(delay, "delay"), null, command));
  }

  /** Schedule {@code command} to this entity at {@code at} (immediately if that has passed). */
  public Decision<E> scheduleAt(String timer, Instant at, Object command) {
    return timer(new TimerRequest.Schedule(timer, null, null, Objects.requireNonNull(at, "at"), command));
  }

  /** Schedule {@code command} to {@code target} at {@code at}; the timer is owned by this entity. */
  public <C> Decision<E> scheduleAt(String timer, Instant at, EntityRef<?, C> target, C command) {
    return timer(new TimerRequest.Schedule(timer, Objects.requireNonNull(target, "target"), null,
        Objects.requireNonNull(at, "at"), command));
  }

  /** Cancel this entity's pending timer {@code timer}; nothing happens if there is none. */
  public Decision<E> cancelTimer(String timer) {
    return timer(new TimerRequest.Cancel(timer));
  }

  private Decision<E> timer(TimerRequest request) {
    requireAccepted("timer");
    return new Decision<>(events, effects, messages, append(timers, request), reply, null);
  }

  /** Reply with {@code value} instead of the new state. The value's class must be registered. */
  public Decision<E> reply(Object value) {
    requireAccepted("reply");
    return new Decision<>(events, effects, messages, timers, Objects.requireNonNull(value, "reply"), null);
  }

  public List<E> events() {
    return events;
  }

  public List<Effect> effects() {
    return effects;
  }

  /** Messages to other entities, in the order they were added. */
  public List<Envelope> messages() {
    return messages;
  }

  /** Timer operations, applied in the order they were added. */
  public List<TimerRequest> timers() {
    return timers;
  }

  /** The explicit reply, or null when the reply is the new state. */
  public Object reply() {
    return reply;
  }

  public boolean isRejected() {
    return rejection != null;
  }

  /** The rejection reason, or null when accepted. */
  public String rejection() {
    return rejection;
  }

  private void requireAccepted(String what) {
    if (rejection != null) {
      throw new IllegalStateException("a rejected decision cannot carry a " + what);
    }
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> more = new ArrayList<>(list.size() + 1);
    more.addAll(list);
    more.add(item);
    return List.copyOf(more);
  }

  @Override
  public String toString() {
    return rejection != null
        ? "Decision.reject(" + rejection + ")"
        : "Decision{events=" + events + ", effects=" + effects + ", messages=" + messages + ", timers=" + timers
            + ", reply=" + reply + "}";
  }
}
