package io.pachyderm.entity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Entity#handle}, as data: events to persist, effects to dispatch after
 * commit, and an optional reply; or a rejection, which writes nothing.
 *
 * <p>Immutable: every method returns a new decision. The reply defaults to the entity's state
 * after the events are applied.
 *
 * <pre>{@code
 * return Decision.emit(new Increased(1))
 *     .effectIf(count + 1 == 10, "mailer", new ThresholdReached(10))
 *     .reply(count + 1);
 * }</pre>
 *
 * @param <E> the entity's event type
 */
public final class Decision<E> {
  private final List<E> events;
  private final List<Effect> effects;
  private final Object reply;
  private final String rejection;

  private Decision(List<E> events, List<Effect> effects, Object reply, String rejection) {
    this.events = events;
    this.effects = effects;
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
    return new Decision<>(List.copyOf(copy), List.of(), null, null);
  }

  /** Accept the command without changing state (the reply is the current state). */
  public static <E> Decision<E> none() {
    return new Decision<>(List.of(), List.of(), null, null);
  }

  /** Refuse the command; nothing is written and the caller gets a rejection carrying {@code reason}. */
  public static <E> Decision<E> reject(String reason) {
    Objects.requireNonNull(reason, "reason");
    return new Decision<>(List.of(), List.of(), null, reason);
  }

  /** Also dispatch {@code payload} to the effect handler registered as {@code handler}, after commit. */
  public Decision<E> effect(String handler, Object payload) {
    requireAccepted("effect");
    List<Effect> more = new ArrayList<>(effects);
    more.add(new Effect(handler, payload));
    return new Decision<>(events, List.copyOf(more), reply, null);
  }

  /** {@link #effect} when {@code condition} holds; this decision unchanged otherwise. */
  public Decision<E> effectIf(boolean condition, String handler, Object payload) {
    return condition ? effect(handler, payload) : this;
  }

  /** Reply with {@code value} instead of the new state. The value's class must be registered. */
  public Decision<E> reply(Object value) {
    requireAccepted("reply");
    return new Decision<>(events, effects, Objects.requireNonNull(value, "reply"), null);
  }

  public List<E> events() {
    return events;
  }

  public List<Effect> effects() {
    return effects;
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

  @Override
  public String toString() {
    return rejection != null
        ? "Decision.reject(" + rejection + ")"
        : "Decision{events=" + events + ", effects=" + effects + ", reply=" + reply + "}";
  }
}
