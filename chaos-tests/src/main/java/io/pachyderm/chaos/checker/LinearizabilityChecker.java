package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Checks that each entity's operations are linearizable against a sequential model, key by key
 * (linearizability is compositional, so each key is searched on its own).
 *
 * <p>Models, both with initial state 0:
 *
 * <ul>
 *   <li>{@link Model#REGISTER} — {@code write(v)} sets the value; {@code read -> v} and
 *       {@code final-read -> v} return it. A never-written register reads 0, and a read that
 *       returned null (the entity has no value yet) is taken as a read of 0.
 *   <li>{@link Model#COUNTER} — {@code add(n)} adds n (may be negative); reads return the total.
 *       A null read means 0.
 * </ul>
 *
 * <p>Outcomes: an OK op took effect between its invocation and completion. A FAIL op did not
 * take effect and is dropped. An INFO op (or one never completed) may have taken effect at any
 * moment after its invocation, or never: writes and adds get a return time of infinity (see
 * {@link WglSearch}); reads with unknown outcome constrain nothing and are dropped. Final reads
 * are reads like any other (invoked after the cluster healed). Ops with other functions (for
 * example {@code append}) are ignored and counted in the {@code opsIgnored} stat.
 *
 * <p>Time is the history index, never {@code timeNs}: the recorder assigns indexes in real-time
 * order under one lock.
 *
 * <p>Budget: a key with more than {@link Budget#opsPerKeyMax} ops, or whose search takes more
 * than {@link Budget#stepsPerKeyMax} steps, more than {@link Budget#cacheBytesPerKeyMax} of
 * cache, or more than {@link Budget#timePerKeyMax}, is reported as an anomaly of kind
 * {@link Anomaly#SEARCH_BUDGET_EXCEEDED}: the verdict is then not valid, and
 * {@link Verdict#unknown()} is true if no real anomaly was found. The step and size limits are
 * deterministic; the time limit is a safety net that makes the verdict depend on the machine, so
 * its default is generous.
 *
 * <p>Thread-safe (stateless).
 */
public final class LinearizabilityChecker implements Checker {

  /** The sequential specification an entity is checked against. */
  public enum Model {
    REGISTER,
    COUNTER
  }

  /**
   * Limits of the search, per key.
   *
   * @param opsPerKeyMax the most ops (after dropping FAILs and unknown reads) searched per key
   * @param stepsPerKeyMax the most search steps (entries visited) per key
   * @param cacheBytesPerKeyMax an estimate of the most heap the configuration cache may use
   * @param timePerKeyMax wall-clock time per key
   */
  public record Budget(
      int opsPerKeyMax, long stepsPerKeyMax, long cacheBytesPerKeyMax, Duration timePerKeyMax) {
    /**
     * 10,000 ops, 100 million steps (a few seconds), 512 MiB of cache, 60 seconds, per key.
     */
    public static final Budget DEFAULT =
        new Budget(10_000, 100_000_000L, 512L << 20, Duration.ofSeconds(60));

    public Budget {
      if (opsPerKeyMax <= 0 || stepsPerKeyMax <= 0 || cacheBytesPerKeyMax <= 0) {
        throw new IllegalArgumentException("limits must be > 0");
      }
      Objects.requireNonNull(timePerKeyMax, "timePerKeyMax");
    }
  }

  /** How many ops of the prefix, and of the concurrent candidates, a counterexample shows. */
  private static final int PREFIX_SHOWN = 5;
  private static final int CANDIDATES_SHOWN = 8;

  private final Model model;
  private final Budget budget;
  private final LongSupplier nanoClock;

  public LinearizabilityChecker(Model model) {
    this(model, Budget.DEFAULT);
  }

  public LinearizabilityChecker(Model model, Budget budget) {
    this(model, budget, System::nanoTime);
  }

  /** With the clock the time budget is measured on, for tests. */
  LinearizabilityChecker(Model model, Budget budget, LongSupplier nanoClock) {
    this.model = Objects.requireNonNull(model, "model");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  public String name() {
    return "linearizable-" + model.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public Verdict check(History history) {
    List<Anomaly> anomalies = new ArrayList<>();
    int keys = 0;
    int keysUnknown = 0;
    int keysInvalid = 0;
    long opsChecked = 0;
    long opsUnknownOutcome = 0;
    long opsDropped = 0;
    long opsIgnored = 0;
    long stepsMax = 0;
    long stepsTotal = 0;
    for (Map.Entry<String, History> entry : history.byKey().entrySet()) {
      String key = entry.getKey();
      Prepared prepared = prepare(entry.getValue().pairs());
      opsIgnored += prepared.ignored;
      opsDropped += prepared.dropped;
      if (prepared.ops.isEmpty() && prepared.malformed == null) {
        continue;
      }
      keys++;
      if (prepared.malformed != null) {
        keysInvalid++;
        anomalies.add(new Anomaly(Anomaly.MALFORMED_HISTORY, key, prepared.malformed));
        continue;
      }
      opsChecked += prepared.ops.size();
      opsUnknownOutcome += prepared.unknownOutcome;
      if (prepared.ops.size() > budget.opsPerKeyMax()) {
        keysUnknown++;
        anomalies.add(new Anomaly(Anomaly.SEARCH_BUDGET_EXCEEDED, key,
            prepared.ops.size() + " ops exceed opsPerKeyMax " + budget.opsPerKeyMax()
                + "; use more keys with fewer ops each"));
        continue;
      }
      WglSearch.Result result = WglSearch.search(
          prepared.ops, model == Model.COUNTER, 0L, budget.stepsPerKeyMax(), budget.cacheBytesPerKeyMax(),
          budget.timePerKeyMax().toNanos(), nanoClock);
      stepsMax = Math.max(stepsMax, result.steps());
      stepsTotal += result.steps();
      switch (result.outcome()) {
        case LINEARIZABLE -> { }
        case NOT_LINEARIZABLE -> {
          keysInvalid++;
          anomalies.add(new Anomaly(Anomaly.NON_LINEARIZABLE, key,
              WglSearch.describeFailure(
                  prepared.ops, result, stateName(), PREFIX_SHOWN, CANDIDATES_SHOWN)));
        }
        case BUDGET_EXCEEDED -> {
          keysUnknown++;
          anomalies.add(new Anomaly(Anomaly.SEARCH_BUDGET_EXCEEDED, key,
              result.budgetReason() + " after " + result.steps() + " steps and "
                  + result.cacheEntries() + " cached configurations over "
                  + prepared.ops.size() + " ops; "
                  + WglSearch.describeFailure(
                      prepared.ops, result, stateName(), PREFIX_SHOWN, CANDIDATES_SHOWN)));
        }
      }
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("model", model.name());
    stats.put("keys", keys);
    stats.put("keysInvalid", keysInvalid);
    stats.put("keysUnknown", keysUnknown);
    stats.put("opsChecked", opsChecked);
    stats.put("opsUnknownOutcome", opsUnknownOutcome);
    stats.put("opsDropped", opsDropped);
    stats.put("opsIgnored", opsIgnored);
    stats.put("searchStepsMax", stepsMax);
    stats.put("searchStepsTotal", stepsTotal);
    return Verdict.of(name(), anomalies, stats);
  }

  private String stateName() {
    return model == Model.REGISTER ? "the register" : "the counter";
  }

  /** The ops of one key in the form the search takes. */
  private static final class Prepared {
    final List<WglSearch.SearchOp> ops = new ArrayList<>();
    int unknownOutcome;
    int dropped;
    int ignored;
    String malformed;
  }

  private Prepared prepare(List<OpPair> pairs) {
    Prepared prepared = new Prepared();
    String mutator = model == Model.REGISTER ? Op.WRITE : Op.ADD;
    for (OpPair pair : pairs) {
      Op invoke = pair.invoke();
      boolean read = invoke.isRead();
      if (!read && !mutator.equals(invoke.f())) {
        prepared.ignored++;
        continue;
      }
      OpType outcome = pair.outcome();
      if (outcome == OpType.FAIL || (read && outcome != OpType.OK)) {
        // FAIL: did not happen. Unknown read: could be placed anywhere and returns nothing
        // known, so it constrains no order.
        prepared.dropped++;
        continue;
      }
      Object value = pair.value();
      if (value != null && !(value instanceof Long)) {
        prepared.malformed = "expected a number, got " + value + " in " + pair.brief();
        return prepared;
      }
      long ret = pair.completeIndexOrMax();
      if (ret == Long.MAX_VALUE) {
        prepared.unknownOutcome++;
      }
      int kind;
      long arg;
      if (read) {
        kind = WglSearch.KIND_READ;
        arg = value == null ? 0L : (Long) value;
      } else {
        if (value == null) {
          prepared.malformed = invoke.f() + " without an argument: " + pair.brief();
          return prepared;
        }
        kind = model == Model.REGISTER ? WglSearch.KIND_WRITE : WglSearch.KIND_ADD;
        arg = (Long) value;
      }
      prepared.ops.add(new WglSearch.SearchOp(kind, arg, invoke.index(), ret, pair));
    }
    return prepared;
  }
}
