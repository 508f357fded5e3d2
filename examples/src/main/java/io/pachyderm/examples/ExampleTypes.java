package io.pachyderm.examples;

import io.pachyderm.entity.EntityTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.examples.profile.Profile;

/** Every example entity type, as the launcher's nodes register them. */
public final class ExampleTypes {
  private ExampleTypes() {}

  public static EntityTypes all() {
    return EntityTypes.of(Counter.TYPE, Profile.TYPE);
  }
}
