package io.pachyderm.cli;

import io.pachyderm.codec.Encoded;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A command for an entity: the entity (positions 0 and 1), the command's registered type name and
 * its JSON (positions 2 and 3). Invalid values throw {@link IllegalArgumentException}.
 */
final class CommandMessage {
  @Mixin
  EntityAddress address;

  @Parameters(index = "2", paramLabel = "COMMAND_TYPE",
      description = "The command's registered type name, e.g. Increment.")
  String commandType;

  @Parameters(index = "3", arity = "0..1", defaultValue = "{}", paramLabel = "JSON",
      description = "The command as JSON, e.g. '{\"by\":2}'. Default: ${DEFAULT-VALUE}.")
  String json;

  @Option(names = "--schema-version", defaultValue = "1", paramLabel = "N",
      description = "Schema version the JSON is written in; nodes upcast older ones. Default: ${DEFAULT-VALUE}.")
  int schemaVersion;

  Encoded payload() {
    if (commandType.isBlank()) {
      throw new IllegalArgumentException("COMMAND_TYPE must not be blank");
    }
    if (schemaVersion < 1) {
      throw new IllegalArgumentException("--schema-version must be >= 1, was " + schemaVersion);
    }
    try {
      return new Encoded(commandType, schemaVersion, Json.compact(json));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("JSON of " + commandType + " is not valid: " + e.getMessage(), e);
    }
  }
}
