package io.pachyderm.bench.versus;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.EntityTypesProvider;

/**
 * Makes the launcher's node serve {@link Register}: versus.sh starts its nodes with the launcher's
 * main on the benchmark's class path, where this provider sits next to the examples' one.
 */
public final class VersusTypes implements EntityTypesProvider {
  @Override
  public EntityTypes entityTypes() {
    return EntityTypes.of(Register.TYPE);
  }
}
