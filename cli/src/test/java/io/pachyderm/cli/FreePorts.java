package io.pachyderm.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports nobody listens on right now (another process may still take one before we do). */
final class FreePorts {
  private static final int ATTEMPTS_MAX = 200;

  private FreePorts() {}

  static int one() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first of {@code n} consecutive free ports. */
  static int consecutive(int n) {
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
      if (allFree(base, n)) {
        return base;
      }
    }
    throw new IllegalStateException("no " + n + " consecutive free ports after " + ATTEMPTS_MAX + " attempts");
  }

  private static boolean allFree(int base, int n) {
    for (int port = base; port < base + n; port++) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
