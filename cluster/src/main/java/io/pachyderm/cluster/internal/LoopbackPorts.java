package io.pachyderm.cluster.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports nobody listens on now, for tests, benchmarks and local clusters that start
 * nodes on ports they choose. Ports come from 20000..32767, below Linux' default ephemeral range
 * (32768..60999): a port the kernel handed out (port 0) is an ephemeral port, and any outgoing
 * connection may take it as its local port between the check and the node's bind. Ratis ends the
 * JVM when its gRPC server cannot bind, so that race would kill a whole test run. A port is never
 * handed out twice by one JVM. Another process may still take one first. Thread-safe.
 */
public final class LoopbackPorts {
  private static final int LOW = 20_000;
  private static final int HIGH = 32_767;
  private static final int ATTEMPTS_MAX = 1_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private LoopbackPorts() {}

  /** One free port. */
  public static int free() {
    return consecutive(1);
  }

  /** The first of {@code n} consecutive free ports. */
  public static synchronized int consecutive(int n) {
    if (n < 1 || n > 1_000) {
      throw new IllegalArgumentException("port count must be 1..1000: " + n);
    }
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(LOW, HIGH - n + 2);
      if (allFree(base, n)) {
        for (int port = base; port < base + n; port++) {
          HANDED_OUT.add(port);
        }
        return base;
      }
    }
    throw new IllegalStateException("no " + n + " consecutive free loopback ports in " + LOW + ".." + HIGH
        + " after " + ATTEMPTS_MAX + " attempts");
  }

  private static boolean allFree(int base, int n) {
    for (int port = base; port < base + n; port++) {
      if (HANDED_OUT.contains(port)) {
        return false;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
