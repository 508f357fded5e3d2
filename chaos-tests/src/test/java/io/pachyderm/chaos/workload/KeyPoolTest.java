package io.pachyderm.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyPoolTest {
  @Test
  void everyKeyIsRetiredAfterItsOperationBudget() {
    KeyPool pool = new KeyPool("r", 3, 10);
    SplittableRandom random = new SplittableRandom(7);
    Map<String, Integer> uses = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      uses.merge(pool.next(random), 1, Integer::sum);
    }
    assertThat(uses.values()).allMatch(n -> n <= 10);
    assertThat(pool.all()).hasSizeGreaterThanOrEqualTo(100).startsWith("r0", "r1", "r2");
    assertThat(pool.all()).containsAll(uses.keySet());
  }
}
