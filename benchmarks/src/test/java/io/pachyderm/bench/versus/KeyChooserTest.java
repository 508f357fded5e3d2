package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyChooserTest {
  private static final int DRAWS = 200_000;

  private static int[] histogram(KeyChooser chooser, int entities, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] counts = new int[entities];
    for (int i = 0; i < DRAWS; i++) {
      counts[chooser.next(random)]++;
    }
    return counts;
  }

  @Test
  void zipfian_frequencies_follow_the_power_law_and_the_hottest_index_is_zero() {
    int entities = 1_000;
    KeyChooser.Zipfian z = KeyChooser.Zipfian.over(entities, KeyChooser.Zipfian.THETA_YCSB);
    int[] counts = histogram(z, entities, 7);

    // Each of the first ranks within 5% of its probability (200,000 draws: rank 10 expects ~2,800).
    for (int i = 0; i < 10; i++) {
      double expected = z.probability(i) * DRAWS;
      assertThat((double) counts[i]).as("draws of index %d", i).isCloseTo(expected, org.assertj.core.data.Percentage
          .withPercentage(5));
    }
    // Skewed: index 0 about 13% of the draws for n = 1000 (1/zeta), the top 10% of the entities
    // well over half of them; uniform would give 0.1% and 10%.
    assertThat(counts[0] / (double) DRAWS).isBetween(0.11, 0.15);
    int top = 0;
    for (int i = 0; i < entities / 10; i++) {
      top += counts[i];
    }
    assertThat(top / (double) DRAWS).isGreaterThan(0.55);
    // Every draw in range, and the tail is reached.
    assertThat(counts[entities - 1] + counts[entities - 2] + counts[entities - 3]).isPositive();
  }

  @Test
  void zipfian_frequency_falls_with_rank() {
    int entities = 100;
    KeyChooser.Zipfian z = KeyChooser.Zipfian.over(entities, KeyChooser.Zipfian.THETA_YCSB);
    int[] counts = histogram(z, entities, 11);
    // Decade sums fall: ranks 1-10 > 11-20 > ... (single ranks are too noisy this far out).
    long previous = Long.MAX_VALUE;
    for (int d = 0; d < 10; d++) {
      long sum = 0;
      for (int i = d * 10; i < d * 10 + 10; i++) {
        sum += counts[i];
      }
      assertThat(sum).as("draws of ranks %d-%d", d * 10 + 1, d * 10 + 10).isLessThan(previous);
      previous = sum;
    }
  }

  @Test
  void uniform_is_flat_and_hot_is_one_entity() {
    int entities = 50;
    int[] counts = histogram(new KeyChooser.Uniform(entities), entities, 3);
    for (int c : counts) {
      assertThat((double) c).isCloseTo(DRAWS / (double) entities, org.assertj.core.data.Percentage.withPercentage(10));
    }
    int[] hot = histogram(new KeyChooser.Hot(), entities, 3);
    assertThat(hot[0]).isEqualTo(DRAWS);
  }

  @Test
  void the_same_seed_draws_the_same_keys() {
    KeyChooser z = Workload.ZIPFIAN.chooser(10_000);
    assertThat(histogram(z, 10_000, 5)).isEqualTo(histogram(z, 10_000, 5));
  }

  @Test
  void bad_sizes_are_rejected_with_the_value() {
    assertThatThrownBy(() -> KeyChooser.Zipfian.over(0, 0.99)).hasMessageContaining("entities must be >= 1, was 0");
    assertThatThrownBy(() -> KeyChooser.Zipfian.over(10, 1.0)).hasMessageContaining("theta must be in (0, 1)");
    assertThatThrownBy(() -> new KeyChooser.Uniform(-1)).hasMessageContaining("was -1");
  }
}
