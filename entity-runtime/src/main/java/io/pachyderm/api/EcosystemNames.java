package io.pachyderm.api;

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
    if (name == null || !isValid(name)) {
      throw new IllegalArgumentException("ecosystem name '" + name
          + "' must be 1..128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  /**
   * {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}} as a loop: the runtime checks every entity key a
   * leader decides, and the regex matcher was a visible part of deciding a small command.
   */
  private static boolean isValid(String name) {
    int n = name.length();
    if (n == 0 || n > 128 || !isLetterOrDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = name.charAt(i);
      if (!isLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetterOrDigit(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
}
