package io.pachyderm.chaos.workload;

import io.pachyderm.entity.EntityTypes;

/** The entity types every chaos node serves and every chaos client talks to. */
public final class ChaosTypes {
  public static final EntityTypes ALL = EntityTypes.of(
      RegisterEntity.TYPE, CounterEntity.TYPE, AppendListEntity.TYPE, EffectCounterEntity.TYPE,
      ReliableEffectCounterEntity.TYPE, AccountEntity.TYPE, FollowLogEntity.TYPE);

  private ChaosTypes() {}

  /** {@link #ALL} for the node launcher ({@code --entity-types}), which names a provider class. */
  public static final class Provider implements java.util.function.Supplier<EntityTypes> {
    @Override
    public EntityTypes get() {
      return ALL;
    }
  }
}
