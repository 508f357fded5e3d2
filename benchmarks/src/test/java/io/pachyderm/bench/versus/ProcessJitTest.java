package io.pachyderm.bench.versus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessJitTest {
  @Test
  void utimeAndStimeAreReadAfterANameWithSpacesAndParentheses() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (C2 Compiler (x)) S 1 4242 4242 0 -1 4194624 10 0 0 0 1234 56 0 0 20 0 1 0 99 0";
    assertThat(ProcessJit.cpuTicks(stat)).isEqualTo(1234 + 56);
    assertThatThrownBy(() -> ProcessJit.cpuTicks("no name here")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a /proc stat line");
    assertThatThrownBy(() -> ProcessJit.cpuTicks("1 (x) S 1 2")).hasMessageContaining("fields after the name");
  }

  /** This JVM compiles what it runs hot: its compiler threads' time grows, and an ended pid counts nothing. */
  @Test
  void theCompilerThreadsOfThisProcessAreCounted() {
    assumeTrue(ProcessJit.available(), "needs Linux /proc");
    ProcessJit jit = new ProcessJit(List.of(Long.MAX_VALUE / 2)); // no such process: skipped
    assertThat(jit.processes()).isEqualTo(2);
    long before = jit.compileMs();
    long sum = 0;
    for (int round = 0; round < 200 && jit.compileMs() == before; round++) {
      for (int i = 0; i < 2_000_000; i++) {
        sum += Long.toString(i ^ round).hashCode();
      }
    }
    assertThat(jit.compileMs()).as("compile time after hot loops (sum %d)", sum).isGreaterThan(before);
  }
}
