package io.pachyderm.examples;

import io.pachyderm.entity.EffectContext;
import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.EntityTypesProvider;
import io.pachyderm.examples.counter.Counter;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The examples as {@code bin/pachyderm} serves them: every example type, an admin mailer that logs
 * one line per effect, and the README demo. Listed in {@code META-INF/services}, so a launcher
 * with this jar on its class path serves the examples without naming them in its code.
 */
public final class ExampleTypesProvider implements EntityTypesProvider {
  /** The logger name the launcher's mailer has always used, so existing log filters keep matching. */
  private static final Logger MAILER_LOG = LoggerFactory.getLogger("io.pachyderm.cli.admin-mailer");

  @Override
  public EntityTypes entityTypes() {
    return ExampleTypes.all();
  }

  @Override
  public Map<String, EffectHandler<?>> effectHandlers() {
    EffectHandler<Counter.ThresholdReached> mailer = (Counter.ThresholdReached t, EffectContext ctx) ->
        MAILER_LOG.info("counter {} reached {} (effect {}, dispatched by {})", t.counter(), t.count(),
            ctx.idempotencyKey(), ctx.nodeId());
    return Map.of(Counter.ADMIN_MAILER, mailer);
  }

  @Override
  public Optional<Demo> demo() {
    return Optional.of(io.pachyderm.examples.Demo::run);
  }
}
