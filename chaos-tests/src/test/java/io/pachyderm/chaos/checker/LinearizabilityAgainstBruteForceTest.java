package io.pachyderm.chaos.checker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.chaos.checker.LinearizabilityChecker.Model;
import io.pachyderm.chaos.history.History;
import io.pachyderm.chaos.history.HistoryBuilder;
import io.pachyderm.chaos.history.Op;
import io.pachyderm.chaos.history.OpPair;
import io.pachyderm.chaos.history.OpType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The search prunes (Lowe's cache, twins of unknown outcome, counter unknowns tried last); this
 * checks that none of it changes an answer. Thousands of small random histories, valid and not,
 * are judged both by the checker and by enumerating every order of every subset of the
 * unknown-outcome ops, straight from the definition of linearizability.
 */
class LinearizabilityAgainstBruteForceTest {
  private static final int HISTORIES = 3000;
  private static final int OPS_MAX = 8;

  /** An op as the definition sees it: effective between call and ret (MAX: unknown). */
  private record Candidate(boolean read, long arg, long call, long ret) {}

  @ParameterizedTest
  @EnumSource(Model.class)
  void checkerAgreesWithBruteForceOnSmallRandomHistories(Model model) {
    LinearizabilityChecker checker = new LinearizabilityChecker(model);
    int valid = 0;
    for (long seed = 0; seed < HISTORIES; seed++) {
      History history = randomHistory(model, new SplittableRandom(seed));
      boolean expected = bruteForce(model, candidates(history));
      Verdict verdict = checker.check(history);
      assertThat(verdict.valid())
          .as("seed %d, model %s, history %s, verdict %s", seed, model, history.ops(), verdict)
          .isEqualTo(expected);
      valid += expected ? 1 : 0;
    }
    // Both answers must be common, or the comparison proves little.
    assertThat(valid).isBetween(HISTORIES / 10, HISTORIES * 9 / 10);
  }

  /** Random invocations and completions of up to OPS_MAX ops on one key, values in a tiny range. */
  private static History randomHistory(Model model, SplittableRandom random) {
    int n = 1 + random.nextInt(OPS_MAX);
    HistoryBuilder h = new HistoryBuilder();
    List<Op> open = new ArrayList<>();
    int invoked = 0;
    while (invoked < n || !open.isEmpty()) {
      boolean invoke = invoked < n && (open.isEmpty() || random.nextBoolean());
      if (invoke) {
        int process = invoked++;
        if (random.nextInt(100) < 40) {
          open.add(h.read(process, "k"));
        } else if (model == Model.REGISTER) {
          open.add(h.write(process, "k", 1 + random.nextInt(2)));
        } else {
          open.add(h.add(process, "k", 1 + random.nextInt(2)));
        }
        continue;
      }
      Op op = open.remove(random.nextInt(open.size()));
      int dice = random.nextInt(100);
      if (dice < 10) {
        continue; // never completes
      }
      if (dice < 35) {
        h.info(op);
      } else if (dice < 42) {
        h.fail(op);
      } else if (op.isRead()) {
        h.ok(op, (long) random.nextInt(model == Model.REGISTER ? 3 : 6));
      } else {
        h.ok(op);
      }
    }
    return h.build();
  }

  /** The documented reading of outcomes: FAIL and unknown reads drop out, unknown writes may. */
  private static List<Candidate> candidates(History history) {
    List<Candidate> result = new ArrayList<>();
    for (OpPair pair : history.pairs()) {
      boolean read = pair.invoke().isRead();
      OpType outcome = pair.outcome();
      if (outcome == OpType.FAIL || (read && outcome != OpType.OK)) {
        continue;
      }
      Object value = pair.value();
      result.add(new Candidate(read, value == null ? 0 : (Long) value,
          pair.invoke().index(), pair.completeIndexOrMax()));
    }
    return result;
  }

  private static boolean bruteForce(Model model, List<Candidate> ops) {
    List<Integer> unknown = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i).ret() == Long.MAX_VALUE) {
        unknown.add(i);
      }
    }
    for (int mask = 0; mask < (1 << unknown.size()); mask++) {
      List<Candidate> chosen = new ArrayList<>();
      for (int i = 0; i < ops.size(); i++) {
        int u = unknown.indexOf(i);
        if (u < 0 || (mask & (1 << u)) != 0) {
          chosen.add(ops.get(i));
        }
      }
      if (someOrderWorks(model, chosen, new boolean[chosen.size()], 0, 0)) {
        return true;
      }
    }
    return false;
  }

  /** Depth-first over every order that respects real time: a op ending before b began goes first. */
  private static boolean someOrderWorks(
      Model model, List<Candidate> ops, boolean[] used, int placed, long state) {
    if (placed == ops.size()) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      if (used[i] || !minimal(ops, used, i)) {
        continue;
      }
      Candidate op = ops.get(i);
      long next;
      if (op.read()) {
        if (op.arg() != state) {
          continue;
        }
        next = state;
      } else {
        next = model == Model.REGISTER ? op.arg() : state + op.arg();
      }
      used[i] = true;
      boolean works = someOrderWorks(model, ops, used, placed + 1, next);
      used[i] = false;
      if (works) {
        return true;
      }
    }
    return false;
  }

  /** True if no unplaced op returned before op i was called. */
  private static boolean minimal(List<Candidate> ops, boolean[] used, int i) {
    for (int j = 0; j < ops.size(); j++) {
      if (!used[j] && j != i && ops.get(j).ret() < ops.get(i).call()) {
        return false;
      }
    }
    return true;
  }
}
