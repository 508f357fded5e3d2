package io.pachyderm.examples.testkit;

import io.pachyderm.entity.EffectContext;
import io.pachyderm.examples.ExampleTypes;
import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import java.nio.file.Path;

/** The embedded store as the examples' end-to-end tests open it. */
public final class Locals {
  private Locals() {}

  /** Every example type, the counter's mailer ignoring its effects. */
  public static LocalPachyderm open(Path dir) {
    return LocalPachyderm.builder(dir)
        .entityTypes(ExampleTypes.all())
        .effectHandler(Counter.ADMIN_MAILER, (Counter.ThresholdReached t, EffectContext ctx) -> { })
        .open();
  }
}
