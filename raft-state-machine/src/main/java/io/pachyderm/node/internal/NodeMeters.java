package io.pachyderm.node.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pachyderm.node.status.NodeHealth;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A node's meters and its metrics/health endpoint: the registry (the application's, or one the
 * node owns and closes), the node's own meters, Ratis' meters bridged into the registry, and the
 * HTTP endpoint once {@link #startEndpoint} ran. Thread-safe: the endpoint field is volatile and
 * {@link #close()} may run on any thread.
 */
public final class NodeMeters implements AutoCloseable {
  private final String nodeId;
  private final MeterRegistry registry;
  /** The registry /metrics scrapes; null when the application's registry holds none (no endpoint then). */
  private final PrometheusMeterRegistry prometheus;
  /** Whether the node created {@link #registry} and so closes it. */
  private final boolean ownsRegistry;
  private final NodeMetrics metrics;
  private final RatisMeterBridge ratisMeters;
  private final String metricsHost;
  /** Null: no endpoint. */
  private final Integer metricsPort;
  private volatile MetricsEndpoint endpoint;

  /**
   * Must be created before the Ratis server: its registries must find the bridge's reporter registration.
   *
   * @param applicationRegistry null: the node creates (and closes) a {@link PrometheusMeterRegistry}
   * @param metricsPort null: no endpoint
   */
  public NodeMeters(String nodeId, MeterRegistry applicationRegistry, Set<String> entityTypeNames, String metricsHost,
                    Integer metricsPort) {
    this.nodeId = nodeId;
    this.ownsRegistry = applicationRegistry == null;
    this.registry = ownsRegistry ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : applicationRegistry;
    this.prometheus = prometheusOf(registry);
    this.metricsHost = metricsHost;
    this.metricsPort = metricsPort;
    this.metrics = new NodeMetrics(nodeId, registry, entityTypeNames);
    this.ratisMeters = new RatisMeterBridge(nodeId, registry);
  }

  /** The Prometheus registry in {@code registry} (itself, or one a composite holds), else null. */
  public static PrometheusMeterRegistry prometheusOf(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p;
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry r : composite.getRegistries()) {
        PrometheusMeterRegistry p = prometheusOf(r);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  /**
   * Serves the endpoint when a metrics port was given.
   *
   * @throws java.io.UncheckedIOException naming the address when the port is taken
   */
  public void startEndpoint(Supplier<NodeHealth> health) {
    if (metricsPort != null) {
      endpoint = new MetricsEndpoint(nodeId, metricsHost, metricsPort, () -> {
        ratisMeters.reconcile();
        return prometheus.scrape();
      }, health);
    }
  }

  /** The endpoint's bound address while it serves. */
  public Optional<InetSocketAddress> endpointAddress() {
    MetricsEndpoint e = endpoint;
    return e == null ? Optional.empty() : Optional.of(e.address());
  }

  /** The endpoint first (a probe must not see a half-closed node as live), then the meters. */
  @Override
  public void close() {
    MetricsEndpoint e = endpoint;
    endpoint = null;
    if (e != null) {
      e.close();
    }
    ratisMeters.close();
    metrics.close();
    if (ownsRegistry) {
      registry.close();
    }
  }
}
