package io.pachyderm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.Set;

/** Loopback ports nobody listens on right now (another process may still take one before a node does). */
final class FreePorts {
  private static final int ATTEMPTS_MAX = 100;

  private FreePorts() {}

  /** {@code n} distinct free ports. */
  static int[] distinct(int n) {
    Set<Integer> ports = new LinkedHashSet<>();
    for (int attempt = 0; attempt < ATTEMPTS_MAX && ports.size() < n; attempt++) {
      ports.add(one());
    }
    if (ports.size() < n) {
      throw new IllegalStateException("no " + n + " distinct free loopback ports after " + ATTEMPTS_MAX + " attempts");
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int one() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free loopback port", e);
    }
  }
}
