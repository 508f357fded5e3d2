package io.pachyderm.cluster.internal;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * java.util.logging levels for the few third-party loggers that write through JUL, not SLF4J.
 *
 * <p>Ratis' shaded gRPC logs "Epoll available during static init of TcpMetrics: true" at INFO
 * through JUL once per JVM, to stderr by default, whatever SLF4J binding the application uses.
 * Raising that one logger to WARNING keeps its warnings and drops the line. Called when a client or
 * node is created, before the class is first loaded. Thread-safe and idempotent.
 */
public final class JulLevels {
  /** The JUL logger name gRPC's TcpMetrics uses: its class name, under Ratis' shading prefix. */
  public static final String GRPC_TCP_METRICS = "org.apache.ratis.thirdparty.io.grpc.netty.TcpMetrics";

  /**
   * Held here: JUL's LogManager keeps loggers only weakly, and a level set on a logger that is
   * collected before gRPC asks for it by name is lost.
   */
  private static final Logger TCP_METRICS = Logger.getLogger(GRPC_TCP_METRICS);

  private JulLevels() {}

  /** Sets the levels; an application that set a level on these loggers itself keeps its own. */
  public static void apply() {
    synchronized (TCP_METRICS) {
      if (TCP_METRICS.getLevel() == null) {
        TCP_METRICS.setLevel(Level.WARNING);
      }
    }
  }
}
