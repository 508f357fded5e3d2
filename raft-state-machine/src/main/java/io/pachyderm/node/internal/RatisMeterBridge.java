package io.pachyderm.node.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.impl.RatisMetricRegistryImpl;
import org.apache.ratis.thirdparty.com.codahale.metrics.Counting;
import org.apache.ratis.thirdparty.com.codahale.metrics.Histogram;
import org.apache.ratis.thirdparty.com.codahale.metrics.Metric;
import org.apache.ratis.thirdparty.com.codahale.metrics.MetricRegistryListener;
import org.apache.ratis.thirdparty.com.codahale.metrics.Sampling;
import org.apache.ratis.thirdparty.com.codahale.metrics.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' own metrics of one node, as Micrometer meters named {@code ratis.<component>.<name>}
 * (Prometheus: {@code ratis_server_...}, {@code ratis_log_worker_...}, {@code ratis_leader_election_...},
 * {@code ratis_log_appender_...}, {@code ratis_state_machine_...}) with tags {@code group} and {@code node}.
 *
 * <p>Ratis 3.3.0 keeps its metrics in Dropwizard registries, one per component and group member
 * ({@code MetricRegistryInfo} prefix {@code <peer id>@<group id>}), held JVM-wide in
 * {@link MetricRegistries#global()}, created and removed as roles change (the log appender's
 * exist only on a leader). {@link Tracker} follows them through Ratis' reporter registration;
 * each bridge picks the registries of its own node (several nodes may share a JVM) and follows
 * their metrics with a Dropwizard listener, which also reports the metrics already there.
 * Values are read only when the registry is scraped:
 * <ul>
 *   <li>gauge: a gauge (NaN when Ratis' value is not a number);
 *   <li>counter and meter: a function counter of the count;
 *   <li>timer: a function counter {@code .count} and gauges {@code .seconds} with tag {@code quantile}
 *       0.5, 0.99 (Ratis' reservoir decays, so these are recent, not since start);
 *   <li>histogram: the same, without the unit.
 * </ul>
 * Every callback catches what it throws: the bridge must never break Ratis' own registration.
 *
 * <p>Registering the tracker before Ratis creates its first registry also means Ratis does not
 * enable its default JMX reporter: Ratis' metrics are served here instead.
 */
public final class RatisMeterBridge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RatisMeterBridge.class);
  private static final double[] QUANTILES = {0.5, 0.99};

  private final String nodeId;
  private final String memberPrefix;
  private final MeterRegistry registry;
  /** Per Ratis registry of this node: its listener and the meters registered for it. */
  private final Map<RatisMetricRegistry, Follow> followed = new ConcurrentHashMap<>();
  private final Consumer<RatisMetricRegistry> onCreated = this::created;
  private final Consumer<RatisMetricRegistry> onRemoved = this::removed;
  private volatile boolean closed;

  /**
   * Bridges the registries of {@code nodeId}'s group members into {@code registry}. Build it
   * before the node's Ratis server, so that the tracker is registered before Ratis' first registry.
   */
  public RatisMeterBridge(String nodeId, MeterRegistry registry) {
    this.nodeId = nodeId;
    this.memberPrefix = nodeId + "@";
    this.registry = registry;
    Tracker.subscribe(onCreated, onRemoved);
  }

  private void created(RatisMetricRegistry r) {
    String prefix = r.getMetricRegistryInfo().getPrefix();
    // A group member's registries only: the gRPC message counts (prefix the bare node id) put the
    // node id and every RPC method into the metric name, which no dashboard can sum over nodes.
    if (closed || !prefix.startsWith(memberPrefix)) {
      return;
    }
    if (!(r instanceof RatisMetricRegistryImpl impl)) {
      LOG.debug("Ratis metric registry {} is a {}, not Ratis' default implementation: not bridged",
          r.getMetricRegistryInfo(), r.getClass().getName());
      return;
    }
    Follow follow = new Follow(r.getMetricRegistryInfo());
    if (followed.putIfAbsent(r, follow) == null) {
      impl.getDropWizardMetricRegistry().addListener(follow);
    }
  }

  /**
   * Follows the registries of this node that Ratis holds now and drops the ones it no longer
   * does. Ratis ref-counts its registries yet calls the stop reporters on every release, also
   * when the registry stays (another holder of the same member's registry), so the events alone
   * can leave one out; the endpoint calls this before each scrape. A few registries: cheap.
   */
  public void reconcile() {
    if (closed) {
      return;
    }
    Set<RatisMetricRegistry> current = new java.util.HashSet<>(MetricRegistries.global().getMetricRegistries());
    for (RatisMetricRegistry r : current) {
      if (!followed.containsKey(r)) {
        created(r);
      }
    }
    for (RatisMetricRegistry r : List.copyOf(followed.keySet())) {
      if (!current.contains(r)) {
        removed(r);
      }
    }
  }

  private void removed(RatisMetricRegistry r) {
    Follow follow = followed.remove(r);
    if (follow != null) {
      LOG.debug("Ratis metric registry {} released: its meters leave", r.getMetricRegistryInfo());
    }
    if (follow != null && r instanceof RatisMetricRegistryImpl impl) {
      impl.getDropWizardMetricRegistry().removeListener(follow);
      follow.removeAll();
    }
  }

  @Override
  public void close() {
    closed = true;
    Tracker.unsubscribe(onCreated, onRemoved);
    for (RatisMetricRegistry r : List.copyOf(followed.keySet())) {
      removed(r);
    }
  }

  /** The meters of one Ratis registry, following its additions and removals. */
  private final class Follow extends MetricRegistryListener.Base {
    private final String namePrefix;
    private final String meterPrefix;
    private final String group;
    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

    Follow(MetricRegistryInfo info) {
      // Ratis' Dropwizard names are "<application>.<component>.<prefix>.<metric>".
      this.namePrefix = info.getApplicationName() + "." + info.getMetricsComponentName() + "." + info.getPrefix() + ".";
      this.meterPrefix = info.getApplicationName() + "." + info.getMetricsComponentName() + ".";
      String prefix = info.getPrefix();
      this.group = prefix.substring(prefix.indexOf('@') + 1);
    }

    private String meterName(String dropwizardName) {
      String shortName = dropwizardName.startsWith(namePrefix) ? dropwizardName.substring(namePrefix.length())
          : dropwizardName;
      return meterPrefix + shortName;
    }

    @Override
    public void onGaugeAdded(String name, org.apache.ratis.thirdparty.com.codahale.metrics.Gauge<?> gauge) {
      add(name, m -> List.of(Gauge.builder(m, gauge, Follow::numberOf).tags("group", group, "node", nodeId).strongReference(true)
          .register(registry)));
    }

    @Override
    public void onCounterAdded(String name, org.apache.ratis.thirdparty.com.codahale.metrics.Counter counter) {
      add(name, m -> List.of(count(m, counter)));
    }

    @Override
    public void onMeterAdded(String name, org.apache.ratis.thirdparty.com.codahale.metrics.Meter meter) {
      add(name, m -> List.of(count(m, meter)));
    }

    @Override
    public void onTimerAdded(String name, Timer timer) {
      add(name, m -> sampled(m, timer, timer, ".seconds", 1e-9));
    }

    @Override
    public void onHistogramAdded(String name, Histogram histogram) {
      add(name, m -> sampled(m, histogram, histogram, "", 1));
    }

    private Meter count(String name, Counting counting) {
      return FunctionCounter.builder(name, counting, Counting::getCount).tags("group", group, "node", nodeId).register(registry);
    }

    private List<Meter> sampled(String name, Counting counting, Sampling sampling, String unitSuffix, double scale) {
      List<Meter> list = new ArrayList<>();
      list.add(FunctionCounter.builder(name + ".count", counting, Counting::getCount).tags("group", group, "node", nodeId)
          .register(registry));
      for (double q : QUANTILES) {
        list.add(Gauge.builder(name + unitSuffix, sampling, s -> s.getSnapshot().getValue(q) * scale)
            .tags("group", group, "node", nodeId, "quantile", Double.toString(q)).strongReference(true).register(registry));
      }
      return list;
    }

    private static double numberOf(org.apache.ratis.thirdparty.com.codahale.metrics.Gauge<?> gauge) {
      return gauge.getValue() instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private void add(String dropwizardName, java.util.function.Function<String, List<Meter>> register) {
      try {
        List<Meter> registered = register.apply(meterName(dropwizardName));
        List<Meter> previous = meters.put(dropwizardName, registered);
        if (previous != null) {
          previous.forEach(registry::remove);
        }
      } catch (RuntimeException e) {
        // A name Prometheus cannot take (another type or other tags under it): leave that one out.
        LOG.debug("Ratis metric {} not bridged: {}", dropwizardName, e.toString());
      }
    }

    private void remove(String dropwizardName) {
      List<Meter> gone = meters.remove(dropwizardName);
      if (gone != null) {
        gone.forEach(registry::remove);
      }
    }

    void removeAll() {
      for (String name : Set.copyOf(meters.keySet())) {
        remove(name);
      }
    }

    @Override
    public void onGaugeRemoved(String name) {
      remove(name);
    }

    @Override
    public void onCounterRemoved(String name) {
      remove(name);
    }

    @Override
    public void onMeterRemoved(String name) {
      remove(name);
    }

    @Override
    public void onTimerRemoved(String name) {
      remove(name);
    }

    @Override
    public void onHistogramRemoved(String name) {
      remove(name);
    }
  }

  /**
   * The one reporter registration of this JVM with Ratis (Ratis keeps registrations forever, and
   * warns about any added after its first registry exists), fanning out to the bridges.
   */
  private static final class Tracker {
    static final Tracker INSTANCE = new Tracker();

    private final List<Consumer<RatisMetricRegistry>> createdListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<RatisMetricRegistry>> removedListeners = new CopyOnWriteArrayList<>();

    private Tracker() {
      MetricRegistries.global().addReporterRegistration(this::created, this::removed);
    }

    private void created(RatisMetricRegistry r) {
      for (Consumer<RatisMetricRegistry> l : createdListeners) {
        try {
          l.accept(r);
        } catch (RuntimeException e) {
          LOG.debug("bridging Ratis metric registry {} failed: {}", r.getMetricRegistryInfo(), e.toString());
        }
      }
    }

    private void removed(RatisMetricRegistry r) {
      for (Consumer<RatisMetricRegistry> l : removedListeners) {
        try {
          l.accept(r);
        } catch (RuntimeException e) {
          LOG.debug("unbridging Ratis metric registry {} failed: {}", r.getMetricRegistryInfo(), e.toString());
        }
      }
    }

    /** Subscribes and replays the registries that exist already (a second node in this JVM). */
    static void subscribe(Consumer<RatisMetricRegistry> created, Consumer<RatisMetricRegistry> removed) {
      Tracker t = INSTANCE;
      t.createdListeners.add(created);
      t.removedListeners.add(removed);
      for (RatisMetricRegistry r : MetricRegistries.global().getMetricRegistries()) {
        created.accept(r);
      }
    }

    static void unsubscribe(Consumer<RatisMetricRegistry> created, Consumer<RatisMetricRegistry> removed) {
      INSTANCE.createdListeners.remove(created);
      INSTANCE.removedListeners.remove(removed);
    }
  }
}
