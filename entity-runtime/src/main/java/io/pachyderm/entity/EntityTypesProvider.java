package io.pachyderm.entity;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A jar's entity types and effect handlers, found with {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/io.pachyderm.entity.EntityTypesProvider}, and
 * {@code bin/pachyderm node --types your.jar} serves them (README, "Serving your own entity types").
 *
 * <p>It lives in entity-runtime, next to {@link EntityTypes} and {@link EffectHandler}, so that a
 * jar of entity types compiles against entity-runtime alone, as its entities already do; the
 * launcher that loads it depends on this module, never the other way round.
 *
 * <p>Implementations need a public no-argument constructor. The launcher calls each method once
 * while the node starts; an exception there stops the start with the provider's name in the error.
 */
public interface EntityTypesProvider {
  /** The entity types this jar serves; a name another provider also registers stops the node's start. */
  EntityTypes entityTypes();

  /**
   * Effect handlers by the name a {@link Decision} gives its effects. Default: none (an effect whose
   * handler no provider registers fails as on any node without that handler).
   */
  default Map<String, EffectHandler<?>> effectHandlers() {
    return Map.of();
  }

  /** A walk-through of these types for {@code bin/pachyderm demo}. Default: none. */
  default Optional<Demo> demo() {
    return Optional.empty();
  }

  /** The demo: runs on an embedded store in {@code dataDir} and prints to {@code out}. */
  @FunctionalInterface
  interface Demo {
    void run(Path dataDir, PrintStream out);
  }
}
