package io.pachyderm.bench;

import io.pachyderm.cluster.internal.LoopbackPorts;

/** Loopback ports nobody listens on right now ({@link LoopbackPorts}: below the ephemeral range). */
final class FreePorts {
  private FreePorts() {}

  /** {@code n} distinct free ports. */
  static int[] distinct(int n) {
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) {
      ports[i] = LoopbackPorts.free();
    }
    return ports;
  }
}
