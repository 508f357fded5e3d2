package io.pachyderm.node.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pachyderm.node.status.NodeHealth;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP endpoint for Prometheus and probes, on the JDK's own HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: the node's meters in Prometheus' text format (0.0.4);
 *   <li>{@code GET /health/live}: 200 while the node runs, 503 otherwise;
 *   <li>{@code GET /health/ready}: 200 when ready (see {@link HealthCheck}), 503 otherwise;
 * </ul>
 * both health answers carry a small JSON body with the reason and the indexes. Any other path is
 * 404, any other method 405. Plain HTTP with no authentication: what it serves is operational
 * (counts, indexes, the role), never entity data, and it binds loopback unless told otherwise.
 *
 * <p>Requests are served one at a time on one daemon thread with a short queue: a scrape or a
 * probe is cheap, and a flood of them cannot take threads from the node.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
  /** Requests waiting beyond the one being served; more are dropped (their clients time out). */
  private static final int QUEUED_REQUESTS_MAX = 64;

  private final HttpServer server;
  private final ThreadPoolExecutor executor;

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving.
   *
   * @throws UncheckedIOException naming the address when it cannot be bound
   */
  public MetricsEndpoint(String nodeId, String host, int port, Supplier<String> scrape, Supplier<NodeHealth> health) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("node " + nodeId + ": cannot serve metrics on " + host + ":" + port
          + " (is the port in use?): " + e.getMessage(), e);
    }
    executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUED_REQUESTS_MAX),
        r -> {
          Thread t = new Thread(r, "pachyderm-metrics-" + nodeId);
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        serve(exchange, scrape, health);
      } catch (IOException | RuntimeException e) {
        LOG.debug("node {}: metrics request {} failed: {}", nodeId, exchange.getRequestURI(), e.toString());
      }
    });
    server.start();
  }

  /** The bound address (the actual port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void serve(HttpExchange exchange, Supplier<String> scrape, Supplier<NodeHealth> health)
      throws IOException {
    String path = exchange.getRequestURI().getPath();
    boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
    if (!known) {
      respond(exchange, 404, "text/plain; charset=utf-8", "not found: " + path
          + " (this endpoint serves /metrics, /health/live and /health/ready)\n");
      return;
    }
    String method = exchange.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      respond(exchange, 405, "text/plain; charset=utf-8", method + " not allowed; use GET\n");
      return;
    }
    switch (path) {
      case "/metrics" -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get());
      case "/health/live" -> {
        NodeHealth h = health.get();
        respond(exchange, h.live() ? 200 : 503, "application/json", json(h, h.live()));
      }
      default -> {
        NodeHealth h = health.get();
        respond(exchange, h.ready() ? 200 : 503, "application/json", json(h, h.ready()));
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The health answer as one JSON object; {@code ok} is the probed property. */
  static String json(NodeHealth h, boolean ok) {
    return "{\"ok\":" + ok + ",\"live\":" + h.live() + ",\"ready\":" + h.ready()
        + ",\"reason\":" + quote(h.reason()) + ",\"role\":" + quote(h.role()) + ",\"leader\":" + quote(h.leaderId())
        + ",\"term\":" + h.term() + ",\"commitIndex\":" + h.commitIndex() + ",\"appliedIndex\":" + h.appliedIndex()
        + ",\"applyLagEntriesMax\":" + h.applyLagEntriesMax() + "}\n";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  @Override
  public void close() {
    // No grace: a scrape in progress is cut off, the next one finds the port closed.
    server.stop(0);
    executor.shutdownNow();
  }
}
