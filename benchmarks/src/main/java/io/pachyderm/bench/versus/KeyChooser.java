package io.pachyderm.bench.versus;

import java.util.SplittableRandom;

/**
 * Picks the entity (0-based index) of the next call. Immutable and thread-safe: each caller passes
 * its own random source, so callers never contend on one.
 */
public sealed interface KeyChooser permits KeyChooser.Uniform, KeyChooser.Zipfian, KeyChooser.Hot {
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
   * 1/(i+1)^theta, index 0 the hottest. The generator of Gray et al., "Quickly generating
   * billion-record synthetic databases" (SIGMOD 1994), as YCSB uses it: one uniform draw per
   * call, constant time, after computing zeta(n) once.
   */
  record Zipfian(int entities, double theta, double zetaN, double alpha, double eta) implements KeyChooser {
    /** YCSB's default skew. */
    public static final double THETA_YCSB = 0.99;

    public static Zipfian over(int entities, double theta) {
      if (entities < 1) {
        throw new IllegalArgumentException("entities must be >= 1, was " + entities);
      }
      if (!(theta > 0 && theta < 1)) {
        throw new IllegalArgumentException("theta must be in (0, 1), was " + theta);
      }
      double zetaN = zeta(entities, theta);
      double zeta2 = zeta(Math.min(2, entities), theta);
      double alpha = 1.0 / (1.0 - theta);
      double eta = entities == 1 ? 0 : (1 - Math.pow(2.0 / entities, 1 - theta)) / (1 - zeta2 / zetaN);
      return new Zipfian(entities, theta, zetaN, alpha, eta);
    }

    /** The sum over i = 1..n of 1/i^theta: the normalising constant. */
    static double zeta(int n, double theta) {
      double sum = 0;
      for (int i = 1; i <= n; i++) {
        sum += 1 / Math.pow(i, theta);
      }
      return sum;
    }

    /** The exact probability of index {@code i}, for checking the generator. */
    public double probability(int i) {
      return 1 / Math.pow(i + 1, theta) / zetaN;
    }

    @Override
    public int next(SplittableRandom random) {
      if (entities == 1) {
        return 0;
      }
      double u = random.nextDouble();
      double uz = u * zetaN;
      if (uz < 1) {
        return 0;
      }
      if (uz < 1 + Math.pow(0.5, theta)) {
        return 1;
      }
      int i = (int) (entities * Math.pow(eta * u - eta + 1, alpha));
      return Math.min(i, entities - 1);
    }
  }
}
