package io.pachyderm.chaos.checker;

import io.pachyderm.chaos.history.OpPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Wing &amp; Gong's linearizability search with Lowe's improvements ("Testing for
 * linearizability", 2017, §3–4), the algorithm Porcupine and Knossos' "wgl" implement, for
 * models whose state is one {@code long}.
 *
 * <p>The history is a doubly-linked list of call and return entries in real-time order. The
 * search walks it from the front: at a call it tries to linearize that operation now (apply it to
 * the model; if the model accepts, remove the call and its return from the list and restart from
 * the front); at a return it has met an operation that had to be linearized already but was not,
 * so it backtracks, undoing the last linearization and trying the next candidate after it. Lowe's
 * cache records every (set of linearized ops, model state) configuration reached; reaching one a
 * second time cannot lead anywhere new, so that branch is cut. This is what makes the search
 * practical on histories of thousands of operations with moderate concurrency.
 *
 * <p>Operations with unknown outcome get a return at infinity, so they may be linearized at any
 * point after their call. "Never took effect" needs no special case: once every operation with a
 * known return is linearized, the search stops with success — the remaining unknown writes can
 * be placed after everything, where no read observes them.
 *
 * <p>Two refinements keep unknown-outcome ops from multiplying the configurations (explained in
 * {@link #run}): unknown ops with the same kind and argument ("twins") are linearized only in
 * call order, and, for commuting models, unknown ops are tried only after the known ones. Both
 * are exact; {@code LinearizabilityAgainstBruteForceTest} holds the search to the definition.
 *
 * <p>Bounded by a step count, an estimate of cache bytes and a wall-clock budget; running out of
 * any returns {@link Outcome#BUDGET_EXCEEDED}, never a guess.
 *
 * <p>Not thread-safe; one instance per search.
 */
final class WglSearch {
  static final int KIND_WRITE = 0;
  static final int KIND_ADD = 1;
  static final int KIND_READ = 2;

  /** One operation as the search sees it. Time is the history index; {@code ret} may be MAX. */
  record SearchOp(int kind, long arg, long call, long ret, OpPair source) {}

  private record Twin(int kind, long arg) {}

  enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, BUDGET_EXCEEDED }

  /**
   * @param deepest the ops (positions in the input list) of the longest linearizable prefix
   *     found, in linearization order
   * @param deepestState the model state after {@code deepest}
   * @param budgetReason for BUDGET_EXCEEDED, which limit was hit
   */
  record Result(
      Outcome outcome, long steps, long cacheEntries, int[] deepest, long deepestState,
      String budgetReason) {}

  private static final int HEAD = 0;
  private static final int NONE = -1;
  /** Bytes a cache entry costs beyond its bitset words: key object, hash node, table slot. */
  private static final int CACHE_ENTRY_OVERHEAD_BYTES = 96;
  private static final int CLOCK_CHECK_STEPS = 4096;

  private final List<SearchOp> ops;
  private final int n;
  private final int[] next;
  private final int[] prev;
  private final long[] zobrist;
  /**
   * For an op of unknown outcome, the previous op (by call) of unknown outcome with the same
   * kind and argument, or NONE. See {@link #run} for why they are linearized in call order.
   */
  private final int[] twinBefore;
  /** Whether ops of unknown outcome are tried only after the known ones (see {@link #run}). */
  private final boolean unknownsLast;

  private WglSearch(List<SearchOp> ops, boolean unknownsLast) {
    this.ops = ops;
    this.unknownsLast = unknownsLast;
    this.n = ops.size();
    this.next = new int[2 * n + 1];
    this.prev = new int[2 * n + 1];
    // Fixed seed: the hash only spreads cache keys; equality is exact, so any seed is correct,
    // and a fixed one keeps runs reproducible.
    SplittableRandom random = new SplittableRandom(0x5eed_1e55L);
    this.zobrist = new long[n];
    for (int i = 0; i < n; i++) {
      zobrist[i] = random.nextLong();
    }
    this.twinBefore = new int[n];
    Map<Twin, Integer> lastTwin = new HashMap<>();
    Integer[] byCall = new Integer[n];
    for (int i = 0; i < n; i++) {
      byCall[i] = i;
    }
    Arrays.sort(byCall, (a, b) -> Long.compare(ops.get(a).call(), ops.get(b).call()));
    for (int i : byCall) {
      SearchOp op = ops.get(i);
      twinBefore[i] = NONE;
      if (op.ret() != Long.MAX_VALUE) {
        continue;
      }
      Integer before = lastTwin.put(new Twin(op.kind(), op.arg()), i);
      twinBefore[i] = before == null ? NONE : before;
    }
    buildList();
  }

  /**
   * Searches for a linearization of {@code ops} starting from {@code initialState}.
   *
   * @param unknownsLast try ops of unknown outcome only after those with a known return: pays
   *     off when unknown ops commute (counter adds), costs a little when they overwrite each
   *     other (register writes); the result is the same either way
   * @param timeBudgetNs wall-clock budget, measured on {@code nanoClock}; Long.MAX_VALUE for none
   */
  static Result search(
      List<SearchOp> ops,
      boolean unknownsLast,
      long initialState,
      long stepsMax,
      long cacheBytesMax,
      long timeBudgetNs,
      LongSupplier nanoClock) {
    return new WglSearch(ops, unknownsLast)
        .run(initialState, stepsMax, cacheBytesMax, timeBudgetNs, nanoClock);
  }

  private static int callNode(int op) {
    return 1 + 2 * op;
  }

  private static int returnNode(int op) {
    return 2 + 2 * op;
  }

  private static boolean isCall(int node) {
    return (node & 1) == 1;
  }

  private static int opOf(int node) {
    return (node - 1) / 2;
  }

  private void buildList() {
    // Entries sorted by time; history indexes are unique, so only returns at infinity tie, and
    // those sort after every call.
    Integer[] nodes = new Integer[2 * n];
    for (int i = 0; i < n; i++) {
      nodes[2 * i] = callNode(i);
      nodes[2 * i + 1] = returnNode(i);
    }
    Arrays.sort(nodes, (a, b) -> {
      int byTime = Long.compare(timeOf(a), timeOf(b));
      return byTime != 0 ? byTime : Integer.compare(a, b);
    });
    int previous = HEAD;
    prev[HEAD] = NONE;
    for (Integer node : nodes) {
      next[previous] = node;
      prev[node] = previous;
      previous = node;
    }
    next[previous] = NONE;
  }

  private long timeOf(int node) {
    SearchOp op = ops.get(opOf(node));
    return isCall(node) ? op.call() : op.ret();
  }

  /** Removes an op's call and return from the list. */
  private void lift(int op) {
    int call = callNode(op);
    next[prev[call]] = next[call];
    prev[next[call]] = prev[call];
    int ret = returnNode(op);
    next[prev[ret]] = next[ret];
    if (next[ret] != NONE) {
      prev[next[ret]] = prev[ret];
    }
  }

  /** Puts an op's return and call back where they were (reverse order of {@link #lift}). */
  private void unlift(int op) {
    int ret = returnNode(op);
    next[prev[ret]] = ret;
    if (next[ret] != NONE) {
      prev[next[ret]] = ret;
    }
    int call = callNode(op);
    next[prev[call]] = call;
    prev[next[call]] = call;
  }

  private Result run(
      long initialState,
      long stepsMax,
      long cacheBytesMax,
      long timeBudgetNs,
      LongSupplier nanoClock) {
    long startNs = nanoClock.getAsLong();
    int words = (n + 63) / 64;
    long cacheEntryBytes = CACHE_ENTRY_OVERHEAD_BYTES + 8L * words;
    long[] bits = new long[words];
    long bitsHash = 0;
    Set<CacheKey> cache = new HashSet<>();
    int[] stackOp = new int[n];
    long[] stackState = new long[n];
    int[] stackPass = new int[n];
    int depth = 0;
    int[] deepest = new int[0];
    long deepestState = initialState;

    int finiteRemaining = 0;
    for (SearchOp op : ops) {
      if (op.ret() != Long.MAX_VALUE) {
        finiteRemaining++;
      }
    }
    long state = initialState;
    long steps = 0;
    int entry = next[HEAD];
    // Candidates of a configuration are the calls before the first return in the list. With
    // unknownsLast they are tried in two passes: ops with a known return first, then ops of
    // unknown outcome. The order does not change what is found (every candidate is still tried),
    // only how soon: an unknown op is linearized only once the known ones cannot go on without
    // it, in the spirit of Lowe's just-in-time linearization, instead of eagerly. Measured on
    // simulated counter histories with 5-40% INFO adds, this turned budget overruns into
    // sub-second passes; on register histories eager order is a little faster.
    //
    // Twins: ops of unknown outcome with the same kind and argument are interchangeable once
    // both are called (neither ever has to return), so a linearization using the later-called
    // one can use the earlier one instead. Linearizing twins only in call order therefore loses
    // no solution and cuts the search from every subset of them to every count of them.
    int pass = 0;
    while (finiteRemaining > 0) {
      steps++;
      if (steps > stepsMax) {
        return budget(steps, cache, deepest, deepestState, "stepsPerKeyMax " + stepsMax);
      }
      // Look at the clock on the first step and every CLOCK_CHECK_STEPS after: cheap, and a
      // test clock sees the first look.
      if (steps % CLOCK_CHECK_STEPS == 1 && nanoClock.getAsLong() - startNs > timeBudgetNs) {
        return budget(steps, cache, deepest, deepestState, "time budget exceeded");
      }
      if (isCall(entry)) {
        int op = opOf(entry);
        SearchOp candidate = ops.get(op);
        int twin = twinBefore[op];
        if ((unknownsLast && (candidate.ret() == Long.MAX_VALUE) != (pass == 1))
            || (twin != NONE && (bits[twin >>> 6] & (1L << twin)) == 0)) {
          entry = next[entry];
          continue;
        }
        boolean accepted;
        long after;
        switch (candidate.kind()) {
          case KIND_WRITE -> {
            accepted = true;
            after = candidate.arg();
          }
          case KIND_ADD -> {
            accepted = true;
            after = state + candidate.arg();
          }
          case KIND_READ -> {
            accepted = state == candidate.arg();
            after = state;
          }
          default -> throw new IllegalStateException("unknown kind " + candidate.kind());
        }
        if (accepted) {
          bits[op >>> 6] |= 1L << op;
          long hash = bitsHash ^ zobrist[op];
          CacheKey probe = new CacheKey(bits, after, hash);
          if (!cache.contains(probe)) {
            if ((cache.size() + 1) * cacheEntryBytes > cacheBytesMax) {
              bits[op >>> 6] &= ~(1L << op);
              return budget(
                  steps, cache, deepest, deepestState, "cacheBytesPerKeyMax " + cacheBytesMax);
            }
            cache.add(new CacheKey(bits.clone(), after, hash));
            bitsHash = hash;
            stackOp[depth] = op;
            stackState[depth] = state;
            stackPass[depth] = pass;
            depth++;
            state = after;
            lift(op);
            if (candidate.ret() != Long.MAX_VALUE) {
              finiteRemaining--;
            }
            if (depth > deepest.length) {
              deepest = Arrays.copyOf(stackOp, depth);
              deepestState = state;
            }
            entry = next[HEAD];
            pass = 0;
            continue;
          }
          bits[op >>> 6] &= ~(1L << op);
        }
        entry = next[entry];
        continue;
      }
      // A return: the candidates of this pass are exhausted.
      if (unknownsLast && pass == 0) {
        pass = 1;
        entry = next[HEAD];
        continue;
      }
      // Its operation should have been linearized by now and cannot be. Backtrack.
      if (depth == 0) {
        return new Result(
            Outcome.NOT_LINEARIZABLE, steps, cache.size(), deepest, deepestState, null);
      }
      depth--;
      int op = stackOp[depth];
      state = stackState[depth];
      bits[op >>> 6] &= ~(1L << op);
      bitsHash ^= zobrist[op];
      unlift(op);
      if (ops.get(op).ret() != Long.MAX_VALUE) {
        finiteRemaining++;
      }
      pass = stackPass[depth];
      entry = next[callNode(op)];
    }
    return new Result(Outcome.LINEARIZABLE, steps, cache.size(), deepest, deepestState, null);
  }

  private static Result budget(
      long steps, Set<CacheKey> cache, int[] deepest, long deepestState, String reason) {
    return new Result(Outcome.BUDGET_EXCEEDED, steps, cache.size(), deepest, deepestState, reason);
  }

  /**
   * Describes where the search got stuck: the end of the longest linearizable prefix, the state
   * it leaves, the first operation that returned without being linearizable after it, and the
   * operations concurrent with that one (the candidates the search tried).
   */
  static String describeFailure(
      List<SearchOp> ops, Result result, String stateName, int prefixShown, int candidatesShown) {
    boolean[] linearized = new boolean[ops.size()];
    for (int op : result.deepest()) {
      linearized[op] = true;
    }
    int blocking = NONE;
    for (int i = 0; i < ops.size(); i++) {
      if (linearized[i] || ops.get(i).ret() == Long.MAX_VALUE) {
        continue;
      }
      if (blocking == NONE || ops.get(i).ret() < ops.get(blocking).ret()) {
        blocking = i;
      }
    }
    StringBuilder sb = new StringBuilder();
    int[] deepest = result.deepest();
    sb.append("longest linearizable prefix has ").append(deepest.length).append(" of ")
        .append(ops.size()).append(" ops");
    if (deepest.length > 0) {
      sb.append(", ending with [");
      int from = Math.max(0, deepest.length - prefixShown);
      for (int i = from; i < deepest.length; i++) {
        sb.append(i == from ? "" : "; ").append(ops.get(deepest[i]).source().brief());
      }
      sb.append(']');
    }
    sb.append(", leaving ").append(stateName).append(" = ").append(result.deepestState());
    if (blocking == NONE) {
      return sb.toString();
    }
    SearchOp stuck = ops.get(blocking);
    sb.append("; then ").append(stuck.source().brief())
        .append(" cannot take effect before it returned");
    List<String> concurrent = new ArrayList<>();
    int more = 0;
    for (int i = 0; i < ops.size(); i++) {
      if (linearized[i] || i == blocking || ops.get(i).call() > stuck.ret()) {
        continue;
      }
      if (concurrent.size() < candidatesShown) {
        concurrent.add(ops.get(i).source().brief());
      } else {
        more++;
      }
    }
    if (!concurrent.isEmpty()) {
      sb.append(", nor can any op concurrent with it help: [")
          .append(String.join("; ", concurrent))
          .append(more > 0 ? "; and " + more + " more" : "")
          .append(']');
    }
    return sb.toString();
  }

  /** A configuration of the search: which ops are linearized, and the model state. */
  private static final class CacheKey {
    private final long[] bits;
    private final long state;
    private final int hash;

    CacheKey(long[] bits, long state, long bitsHash) {
      this.bits = bits;
      this.state = state;
      long mixed = bitsHash ^ (state * 0x9E3779B97F4A7C15L);
      this.hash = (int) (mixed ^ (mixed >>> 32));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey other
          && state == other.state
          && Arrays.equals(bits, other.bits);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
