package io.pachyderm.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/** Progress lines on stderr, stamped with the JVM's uptime so they line up with GC and JIT logs. */
final class Progress {
  private Progress() {}

  static void line(String id, String what) {
    double uptimeS = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
    System.err.printf(Locale.ROOT, "[%s %6.1fs] %s%n", id, uptimeS, what);
    System.err.flush();
  }
}
