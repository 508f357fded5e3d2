package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateScheduleTest {
  @Test
  void call_i_is_due_at_i_over_the_rate_without_drift() {
    RateSchedule s = RateSchedule.of(3_000, Duration.ofSeconds(10), 1_000_000);
    assertThat(s.calls()).isEqualTo(30_000);
    assertThat(s.intendedNs(1_000, 0)).isEqualTo(1_000);
    assertThat(s.intendedNs(1_000, 3)).isEqualTo(1_000 + 1_000_000);
    // An interval of 333,333.33 ns added 29,999 times would drift by 10 us; from the index it does not.
    assertThat(s.intendedNs(0, 29_999)).isBetween(9_999_666_000L, 9_999_667_000L);
    assertThat(s.spanNs()).isEqualTo(s.intendedNs(0, 29_999));
  }

  @Test
  void the_call_limit_caps_the_schedule_and_a_tiny_phase_still_has_one_call() {
    assertThat(RateSchedule.of(10_000, Duration.ofSeconds(60), 5_000).calls()).isEqualTo(5_000);
    assertThat(RateSchedule.of(0.5, Duration.ofSeconds(1), 100).calls()).isEqualTo(1);
  }

  @Test
  void a_sweep_is_percents_of_the_reference_rate_in_order() {
    assertThat(RateSchedule.sweep(4_000, List.of(25, 50, 100, 150))).containsExactly(1_000.0, 2_000.0, 4_000.0, 6_000.0);
  }

  @Test
  void bad_rates_durations_and_indexes_are_named() {
    assertThatThrownBy(() -> new RateSchedule(0, 10)).hasMessageContaining("offered rate").hasMessageContaining("was 0.0");
    assertThatThrownBy(() -> RateSchedule.of(100, Duration.ZERO, 10)).hasMessageContaining("positive duration");
    assertThatThrownBy(() -> RateSchedule.sweep(0, List.of(50))).hasMessageContaining("closed loop measure nothing");
    assertThatThrownBy(() -> RateSchedule.sweep(100, List.of(50, 0))).hasMessageContaining("percent must be 1..1000, was 0");
    RateSchedule s = new RateSchedule(100, 10);
    assertThatThrownBy(() -> s.intendedNs(0, 10)).hasMessageContaining("call 10 of a schedule of 10");
  }
}
