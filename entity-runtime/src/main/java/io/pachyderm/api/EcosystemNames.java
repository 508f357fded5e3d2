package io.pachyderm.api;

import io.pachyderm.entity.EntityType;

/**
 * The rule for ecosystem names, which the API checks where a name comes in ({@link DeadLetter},
 * the local store's and the client's {@code ecosystem(name)}) and the runtime checks on every
 * entity key. Here, in the API, so that the API does not reach into {@code io.pachyderm.runtime}
 * for it (the runtime uses the API; the other way round was a package cycle).
 */
public final class EcosystemNames {
  private EcosystemNames() {}

  /**
   * @return {@code name}
   * @throws IllegalArgumentException naming the rule when {@code name} is not a valid ecosystem name
   */
  public static String requireValid(String name) {
    if (name == null || !EntityType.isValidName(name)) {
      throw new IllegalArgumentException("ecosystem name '" + name
          + "' must be 1..128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }
}
