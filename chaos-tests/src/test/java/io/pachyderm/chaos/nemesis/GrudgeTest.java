package io.pachyderm.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The partition shapes, as Jepsen defines them, for 3 and 5 nodes and many seeds. */
class GrudgeTest {
  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void randomHalvesCutsAMinorityFromAMajorityBothWays(int n) {
    for (long seed = 0; seed < 50; seed++) {
      Grudge g = Grudge.randomHalves(n, new SplittableRandom(seed));
      Set<Integer> minority = new TreeSet<>();
      g.dropsFrom().forEach((node, from) -> {
        if (from.size() > n / 2) {
          minority.add(node);
        }
      });
      assertThat(minority).hasSize(n / 2);
      assertSymmetric(g);
      assertThat(g.dropsFrom().keySet()).hasSize(n);
    }
  }

  @Test
  void isolateCutsOneNodeFromAllOthers() {
    Grudge g = Grudge.isolate(5, 2);
    assertThat(g.dropsFrom().get(2)).containsExactly(1, 3, 4, 5);
    assertThat(g.dropsFrom().get(4)).containsExactly(2);
    assertSymmetric(g);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 5, 7})
  void majoritiesRingGivesEveryNodeADifferentMajority(int n) {
    for (long seed = 0; seed < 50; seed++) {
      Grudge g = Grudge.majoritiesRing(n, new SplittableRandom(seed));
      Set<Set<Integer>> majorities = new HashSet<>();
      for (int node = 1; node <= n; node++) {
        Set<Integer> hears = new TreeSet<>();
        for (int other = 1; other <= n; other++) {
          if (!g.dropsFrom().get(node).contains(other)) {
            hears.add(other);
          }
        }
        assertThat(hears).contains(node).hasSize(n / 2 + 1);
        majorities.add(hears);
      }
      assertThat(majorities).as("no two nodes hear the same majority").hasSize(n);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void bridgeLeavesOneNodeTalkingToBothHalves(int n) {
    for (long seed = 0; seed < 50; seed++) {
      Grudge g = Grudge.bridge(n, new SplittableRandom(seed));
      long bridges = g.dropsFrom().values().stream().filter(Set::isEmpty).count();
      assertThat(bridges).isEqualTo(1);
      for (Map.Entry<Integer, Set<Integer>> e : g.dropsFrom().entrySet()) {
        if (!e.getValue().isEmpty()) {
          assertThat(e.getValue()).hasSize(n / 2);
        }
      }
      assertSymmetric(g);
    }
  }

  @Test
  void describeNamesEveryCutLink() {
    assertThat(Grudge.isolate(3, 1).describe()).isEqualTo("isolate [n1 drops n2,n3; n2 drops n1; n3 drops n1]");
  }

  private static void assertSymmetric(Grudge g) {
    g.dropsFrom().forEach((node, from) -> {
      for (int other : from) {
        assertThat(g.dropsFrom().get(other)).as("n%d drops n%d but not the reverse", node, other).contains(node);
      }
    });
  }
}
