package io.pachyderm.examples.janken;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandTest {
  @Test
  void rockBeatsScissorsBeatPaperBeatsRock() {
    assertThat(Hand.ROCK.beats(Hand.SCISSORS)).isTrue();
    assertThat(Hand.SCISSORS.beats(Hand.PAPER)).isTrue();
    assertThat(Hand.PAPER.beats(Hand.ROCK)).isTrue();
  }

  @Test
  void everyHandBeatsExactlyOneOtherAndNeverItself() {
    for (Hand a : Hand.values()) {
      int beaten = 0;
      for (Hand b : Hand.values()) {
        if (a.beats(b)) {
          beaten++;
          assertThat(b.beats(a)).as("%s and %s cannot beat each other", a, b).isFalse();
        }
      }
      assertThat(a.beats(a)).as("%s beats itself", a).isFalse();
      assertThat(beaten).as("hands %s beats", a).isEqualTo(1);
    }
  }
}
