package io.pachyderm.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pachyderm.chaos.history.Op;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class WorkloadShapeTest {
  @Test
  void fixedKeysAddressExactlyThatManyEntitiesForTheWholeRun() {
    for (String name : List.of("register", "counter", "append", "effects", "effects-alo")) {
      Workload w = Workload.named(name, WorkloadShape.DEFAULT.withKeys(5));
      SplittableRandom random = new SplittableRandom(7);
      TreeSet<String> used = new TreeSet<>();
      for (int i = 0; i < 5_000; i++) {
        used.add(w.next(random).key());
      }
      assertThat(used).as(name).hasSize(5);
      assertThat(w.keys()).as(name).hasSize(5).containsExactlyInAnyOrderElementsOf(used);
    }
  }

  @Test
  void theDefaultRotatesKeys() {
    Workload w = Workload.named("register");
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      w.next(random);
    }
    assertThat(w.keys().size()).isGreaterThan(20);
  }

  @Test
  void theReadFractionSetsTheShareOfReads() {
    assertThat(readShare("register", 0.0)).isZero();
    assertThat(readShare("append", 1.0)).isEqualTo(1.0);
    assertThat(readShare("counter", 0.1)).isBetween(0.08, 0.12);
    assertThat(readShare("register", 0.9)).isBetween(0.88, 0.92);
  }

  @Test
  void theDefaultShapeDrawsAsTheWorkloadsAlwaysHaveSoOldSeedsReplay() {
    // The generators as they were before shapes: register drew nextBoolean() for a write,
    // append nextInt(10) < 7 for an append, after the key pool's draw.
    SplittableRandom oldRandom = new SplittableRandom(42);
    SplittableRandom newRandom = new SplittableRandom(42);
    KeyPool oldRegisterKeys = new KeyPool("r", 4, 150);
    Workload register = Workload.named("register");
    long value = 0;
    for (int i = 0; i < 1_000; i++) {
      String key = oldRegisterKeys.next(oldRandom);
      OpSpec expected = oldRandom.nextBoolean() ? new OpSpec(Op.WRITE, key, ++value) : new OpSpec(Op.READ, key, null);
      assertThat(register.next(newRandom)).isEqualTo(expected);
    }
    KeyPool oldAppendKeys = new KeyPool("a", 4, 300);
    Workload append = Workload.named("append");
    long element = 0;
    for (int i = 0; i < 1_000; i++) {
      String key = oldAppendKeys.next(oldRandom);
      OpSpec expected = oldRandom.nextInt(10) < 7 ? new OpSpec(Op.APPEND, key, ++element)
          : new OpSpec(Op.READ, key, null);
      assertThat(append.next(newRandom)).isEqualTo(expected);
    }
  }

  @Test
  void bankAndFollowHaveAFixedShape() {
    assertThatThrownBy(() -> Workload.named("bank", WorkloadShape.DEFAULT.withKeys(3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workload bank has a fixed shape and takes neither keys nor a read fraction (3 fixed keys)");
    assertThatThrownBy(() -> Workload.named("follow", WorkloadShape.DEFAULT.withReadFraction(0.5)))
        .hasMessageContaining("workload follow has a fixed shape");
    assertThat(Workload.named("bank", WorkloadShape.DEFAULT).name()).isEqualTo("bank");
  }

  @Test
  void outOfRangeShapesAreRejected() {
    assertThatThrownBy(() -> WorkloadShape.DEFAULT.withKeys(0)).hasMessage("keys must be 1..10000: 0");
    assertThatThrownBy(() -> WorkloadShape.DEFAULT.withReadFraction(1.5))
        .hasMessage("read fraction must be between 0 and 1: 1.5");
    assertThat(WorkloadShape.DEFAULT.withKeys(5).withReadFraction(0.1).describe()).isEqualTo("5 fixed keys, 10% reads");
  }

  /** The share of reads among 20,000 generated operations; a negative fraction keeps the default. */
  private static double readShare(String name, double fraction) {
    WorkloadShape shape = fraction < 0 ? WorkloadShape.DEFAULT : WorkloadShape.DEFAULT.withReadFraction(fraction);
    Workload w = Workload.named(name, shape);
    SplittableRandom random = new SplittableRandom(3);
    int reads = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      if (Op.READ.equals(w.next(random).f())) {
        reads++;
      }
    }
    return (double) reads / n;
  }
}
