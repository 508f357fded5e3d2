package io.pachyderm.bench.versus;

import java.util.SplittableRandom;

/**
 * Picks the entity (0-based index) of the next call. Immutable and thread-safe: each caller passes
 * its own random source, so callers never contend on one.
 */
sealed interface KeyChooser permits KeyChooser.Uniform, KeyChooser.Zipfian, KeyChooser.Hot {
  int next(SplittableRandom random);

  /** Every index in {@code [0, entities)} equally likely. */
  record Uniform(int entities) implements KeyChooser {
    public Uniform {
      if (entities < 1) {
        throw new IllegalArgumentException("entities must be >= 1, was " + entities);
      }
    }

    @Override
    public int next(SplittableRandom random) {
      return random.nextInt(entities);
    }
  }

  /** Always index 0. */
  record Hot() implements KeyChooser {
    @Override
    public int next(SplittableRandom random) {
      return 0;
    }
  }

  /**
   * Zipfian over {@code [0, entities)}: index i (rank i+1) has probability proportional to
   * 1/(i+1)^theta, index 0 the hottest (YCSB's skew, without its scrambling: the hot entities
   * are the low indexes). Exact: the inverse of the cumulative distribution, one uniform draw and
   * a binary search per call over a table of {@code entities} doubles computed once. (Gray's
   * constant-time approximation, which YCSB uses, overweights ranks 3 and on by up to ~15%.)
   */
  final class Zipfian implements KeyChooser {
    /** YCSB's default skew. */
    public static final double THETA_YCSB = 0.99;

    /** cumulative[i]: the probability of an index <= i; the last is 1. Never written after construction. */
    private final double[] cumulative;

    private Zipfian(double[] cumulative) {
      this.cumulative = cumulative;
    }

    public static Zipfian over(int entities, double theta) {
      if (entities < 1) {
        throw new IllegalArgumentException("entities must be >= 1, was " + entities);
      }
      if (!(theta > 0 && theta < 1)) {
        throw new IllegalArgumentException("theta must be in (0, 1), was " + theta);
      }
      double[] cumulative = new double[entities];
      double sum = 0;
      for (int i = 0; i < entities; i++) {
        sum += 1 / Math.pow(i + 1, theta);
        cumulative[i] = sum;
      }
      for (int i = 0; i < entities; i++) {
        cumulative[i] /= sum;
      }
      cumulative[entities - 1] = 1.0;
      return new Zipfian(cumulative);
    }

    public int entities() {
      return cumulative.length;
    }

    /** The exact probability of index {@code i}, for checking the generator. */
    public double probability(int i) {
      return i == 0 ? cumulative[0] : cumulative[i] - cumulative[i - 1];
    }

    @Override
    public int next(SplittableRandom random) {
      double u = random.nextDouble();
      // The first index whose cumulative probability exceeds u.
      int lo = 0;
      int hi = cumulative.length - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cumulative[mid] > u) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    }
  }
}
