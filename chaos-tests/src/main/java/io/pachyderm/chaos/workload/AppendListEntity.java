package io.pachyderm.chaos.workload;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import java.util.ArrayList;
import java.util.List;

/**
 * A list that commands append to: the entity of the append workload. Its state is the entity's
 * whole history in order, so a read shows exactly which appends were kept and in which order.
 */
public final class AppendListEntity
    implements Entity<AppendListEntity.State, AppendListEntity.Command, AppendListEntity.Event> {
  public static final String NAME = "append-list";
  /** Keeps one entity's state (and the reads of it) small; the workload moves to new keys long before. */
  public static final int ELEMENTS_MAX = 10_000;

  public record State(List<Long> elements) {
    public State {
      elements = List.copyOf(elements);
    }
  }

  public sealed interface Command permits Append {}

  public record Append(long element) implements Command {}

  public sealed interface Event permits Appended {}

  public record Appended(long element) implements Event {}

  public static final EntityType<State, Command, Event> TYPE =
      EntityType.builder(NAME, new AppendListEntity(), State.class, Command.class, Event.class).build();

  @Override
  public State initial(String id) {
    return new State(List.of());
  }

  @Override
  public Decision<Event> handle(Command command, State state, Context ctx) {
    Append a = (Append) command;
    if (state.elements().size() >= ELEMENTS_MAX) {
      return Decision.reject("list is full (" + ELEMENTS_MAX + " elements)");
    }
    return Decision.emit(new Appended(a.element()));
  }

  @Override
  public State apply(Event event, State state) {
    List<Long> next = new ArrayList<>(state.elements().size() + 1);
    next.addAll(state.elements());
    next.add(((Appended) event).element());
    return new State(next);
  }
}
