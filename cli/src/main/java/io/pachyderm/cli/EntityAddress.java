package io.pachyderm.cli;

import io.pachyderm.runtime.EntityKey;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Which entity: ecosystem, type name and id (positions 0 and 1). Invalid values throw
 * {@link IllegalArgumentException}.
 */
final class EntityAddress {
  @Option(names = "--ecosystem", defaultValue = "default", paramLabel = "NAME",
      description = "The entity's ecosystem (an isolated namespace). Default: ${DEFAULT-VALUE}.")
  String ecosystem;

  @Parameters(index = "0", paramLabel = "TYPE", description = "Entity type name, e.g. counter.")
  String type;

  @Parameters(index = "1", paramLabel = "ID", description = "Entity id, e.g. c1.")
  String id;

  EntityKey key() {
    EntityKey.requireValidEcosystem(ecosystem);
    if (type.isBlank() || id.isBlank()) {
      throw new IllegalArgumentException("TYPE and ID must not be blank");
    }
    return new EntityKey(ecosystem, type, id);
  }
}
