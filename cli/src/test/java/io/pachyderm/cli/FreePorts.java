package io.pachyderm.cli;

import io.pachyderm.cluster.internal.LoopbackPorts;

/** Loopback ports nobody listens on right now ({@link LoopbackPorts}: below the ephemeral range). */
final class FreePorts {
  private FreePorts() {}

  static int one() {
    return LoopbackPorts.free();
  }

  /** The first of {@code n} consecutive free ports. */
  static int consecutive(int n) {
    return LoopbackPorts.consecutive(n);
  }
}
