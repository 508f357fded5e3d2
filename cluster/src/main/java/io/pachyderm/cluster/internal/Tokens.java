package io.pachyderm.cluster.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared client token (node {@code --token-file}, client {@code --token-file}): the rule both
 * ends check, and how a token file is read. Stateless.
 */
public final class Tokens {
  /** Shorter tokens are guessable; the limit is for a development secret, not a password. */
  public static final int TOKEN_CHARS_MIN = 16;
  public static final int TOKEN_CHARS_MAX = 1024;

  private Tokens() {}

  /** Returns {@code token} when it is 16..1024 printable ASCII characters without spaces. */
  public static String requireValid(String token, String where) {
    if (token == null) {
      throw new IllegalArgumentException(where + ": no token");
    }
    if (token.length() < TOKEN_CHARS_MIN || token.length() > TOKEN_CHARS_MAX) {
      throw new IllegalArgumentException(where + ": a token must have " + TOKEN_CHARS_MIN + ".." + TOKEN_CHARS_MAX
          + " characters, this one has " + token.length());
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException(where + ": a token must be printable ASCII without spaces; character "
            + (i + 1) + " is not");
      }
    }
    return token;
  }

  /** Reads a token file: its first line, without the line break (so {@code echo $TOKEN > file} works). */
  public static String read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("token file " + file + ": cannot read it: " + e.getMessage(), e);
    }
    String firstLine = text.lines().findFirst().orElse("");
    if (!text.strip().equals(firstLine.strip())) {
      throw new IllegalArgumentException("token file " + file + ": holds more than one line; give the token alone");
    }
    return requireValid(firstLine.strip(), "token file " + file);
  }
}
