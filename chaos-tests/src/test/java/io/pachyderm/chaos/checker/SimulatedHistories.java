package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.HistoryRecorder;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates histories that are correct by construction: clients invoke operations at random
 * moments, each operation takes effect atomically on a sequential model at a random moment
 * between its invocation and completion (its linearization point), and reads return the model's
 * value at that point. Some operations fail (never take effect) and some time out (INFO): those
 * take effect before the timeout, after it (long after, while other clients carry on), or never.
 * Every history replays from its seed.
 */
final class SimulatedHistories {
  enum Workload { REGISTER, COUNTER, APPEND }

  /**
   * @param opsMax client operations to invoke
   * @param concurrency clients in flight at once
   * @param infoRate probability that an operation times out
   * @param failRate probability that a write/add/append fails cleanly
   * @param valueRange register writes pick values in [1, valueRange]; small ranges make reads
   *     ambiguous, which is harder for the checker
   */
  record Params(
      Workload workload, int keys, int opsMax, int concurrency, double infoRate,
      double failRate, int valueRange, List<String> finalReadNodes) {}

  private static final class InFlight {
    Op invocation;
    int slot;
    boolean decided;
    OpType fate;
    /** For INFO: 0 never takes effect, 1 before the timeout, 2 after it. */
    int infoEffect;
    boolean applied;
    Object readValue;
  }

  private final Params params;
  private final SplittableRandom random;
  private final Map<String, Object> state = new HashMap<>();
  private long nowNs;
  private long nextElement = 1;
  private final HistoryRecorder recorder =
      new HistoryRecorder(null, () -> nowNs, HistoryRecorder.OPS_MAX_DEFAULT);

  private SimulatedHistories(Params params, long seed) {
    this.params = params;
    this.random = new SplittableRandom(seed);
  }

  static History generate(Params params, long seed) {
    return new SimulatedHistories(params, seed).run();
  }

  private History run() {
    int[] processOfSlot = new int[params.concurrency()];
    boolean[] busy = new boolean[params.concurrency()];
    for (int s = 0; s < processOfSlot.length; s++) {
      processOfSlot[s] = s;
    }
    int nextProcess = params.concurrency();
    List<InFlight> inFlight = new ArrayList<>();
    List<InFlight> ghosts = new ArrayList<>();
    int invoked = 0;
    while (invoked < params.opsMax() || !inFlight.isEmpty()) {
      nowNs += 1 + random.nextInt(2_000_000);
      int idle = -1;
      for (int s = 0; s < busy.length; s++) {
        if (!busy[s]) {
          idle = s;
          break;
        }
      }
      int choices = inFlight.size() + ghosts.size() + (idle >= 0 && invoked < params.opsMax() ? 1 : 0);
      int choice = random.nextInt(choices);
      if (choice < inFlight.size()) {
        InFlight op = inFlight.get(choice);
        if (advance(op)) {
          inFlight.remove(choice);
          busy[op.slot] = false;
          if (op.fate == OpType.INFO) {
            processOfSlot[op.slot] = nextProcess++;
            if (op.infoEffect == 2 && !op.applied) {
              ghosts.add(op);
            }
          }
        }
        continue;
      }
      choice -= inFlight.size();
      if (choice < ghosts.size()) {
        apply(ghosts.remove(choice));
        continue;
      }
      inFlight.add(invoke(idle, processOfSlot[idle]));
      busy[idle] = true;
      invoked++;
    }
    // Some late effects land before the end, some never do.
    for (InFlight ghost : ghosts) {
      if (random.nextBoolean()) {
        apply(ghost);
      }
    }
    for (String node : params.finalReadNodes()) {
      for (int k = 0; k < params.keys(); k++) {
        String key = key(k);
        nowNs += 1_000;
        recorder.finalRead(node, key, read(key));
      }
    }
    return recorder.history();
  }

  private static String key(int k) {
    return "k" + k;
  }

  private InFlight invoke(int slot, int process) {
    InFlight op = new InFlight();
    op.slot = slot;
    String key = key(random.nextInt(params.keys()));
    boolean isRead = random.nextInt(100) < 40;
    String f;
    Long argument = null;
    if (isRead) {
      f = Op.READ;
    } else {
      switch (params.workload()) {
        case REGISTER -> {
          f = Op.WRITE;
          argument = 1L + random.nextInt(params.valueRange());
        }
        case COUNTER -> {
          f = Op.ADD;
          argument = 1L + random.nextInt(params.valueRange());
        }
        default -> {
          f = Op.APPEND;
          argument = nextElement++;
        }
      }
    }
    op.invocation = recorder.invoke(process, f, key, argument);
    return op;
  }

  /** Moves an operation one step on; true when it completed. */
  private boolean advance(InFlight op) {
    if (!op.decided) {
      op.decided = true;
      double dice = random.nextDouble();
      if (dice < params.infoRate()) {
        op.fate = OpType.INFO;
        op.infoEffect = random.nextInt(3);
      } else if (!op.invocation.isRead() && dice < params.infoRate() + params.failRate()) {
        op.fate = OpType.FAIL;
      } else {
        op.fate = OpType.OK;
      }
      return false;
    }
    boolean mustApplyFirst =
        op.fate == OpType.OK || (op.fate == OpType.INFO && op.infoEffect == 1);
    if (mustApplyFirst && !op.applied) {
      apply(op);
      return false;
    }
    Object value = op.fate == OpType.OK && op.invocation.isRead() ? op.readValue : null;
    recorder.complete(op.invocation, op.fate, value, op.fate == OpType.OK ? null : "simulated");
    return true;
  }

  private void apply(InFlight op) {
    op.applied = true;
    String key = op.invocation.key();
    if (op.invocation.isRead()) {
      op.readValue = read(key);
      return;
    }
    long argument = op.invocation.longValue();
    switch (params.workload()) {
      case REGISTER -> state.put(key, argument);
      case COUNTER -> state.put(key, (Long) state.getOrDefault(key, 0L) + argument);
      case APPEND -> {
        @SuppressWarnings("unchecked")
        List<Long> list = (List<Long>) state.computeIfAbsent(key, k -> new ArrayList<Long>());
        list.add(argument);
      }
    }
  }

  private Object read(String key) {
    Object value = state.get(key);
    if (params.workload() == Workload.APPEND) {
      return value == null ? List.of() : List.copyOf((List<?>) value);
    }
    // A register never written reads as null, like an entity with no state yet.
    return value;
  }
}
