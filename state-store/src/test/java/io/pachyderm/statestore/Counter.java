package io.pachyderm.statestore;

import io.pachyderm.entity.Context;
import io.pachyderm.entity.Decision;
import io.pachyderm.entity.Entity;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;

/** A counter entity type for the store's tests. */
final class Counter implements Entity<Counter.Count, Counter.Add, Counter.Added> {
  record Count(long total, String note) {}

  record Add(long by) {}

  record Added(long by) {}

  static final EntityType<Count, Add, Added> TYPE =
      EntityType.builder("counter", new Counter(), Count.class, Add.class, Added.class).build();
  static final EntityTypes TYPES = EntityTypes.of(TYPE);

  @Override
  public Count initial(String id) {
    return new Count(0, "");
  }

  @Override
  public Decision<Added> handle(Add command, Count state, Context ctx) {
    return Decision.emit(new Added(command.by()));
  }

  @Override
  public Count apply(Added event, Count state) {
    return new Count(state.total() + event.by(), state.note());
  }
}
