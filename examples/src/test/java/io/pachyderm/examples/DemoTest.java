package io.pachyderm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README demo, run twice on one store: what it prints, and that the second run remembers the first. */
class DemoTest {
  @TempDir
  Path dir;

  @Test
  void theSecondRunContinuesWhereTheFirstLeftOff() {
    List<String> first = run();
    List<String> second = run();

    assertThat(first).contains(
        "my-counter starts at 0",
        "query my-counter -> 3",
        "ping-pong: call alice Serve(bob, 3)",
        "  rally over: alice got pong 3 of 3; pings to bob so far 3, pongs to alice so far 3",
        "bank: alice 100.00, bob 100.00; call alice Transfer(demo-1, bob, 25.00)",
        "  debited: alice now has 75.00",
        "  credit landed: alice 75.00, bob 125.00");
    assertThat(second).contains(
        "my-counter starts at 3",
        "query my-counter -> 6",
        "  rally over: alice got pong 3 of 3; pings to bob so far 6, pongs to alice so far 6",
        "bank: alice 75.00, bob 125.00; call bob Transfer(demo-2, alice, 25.00)",
        "  debited: bob now has 100.00",
        "  credit landed: alice 100.00, bob 100.00");
    assertThat(first.get(first.size() - 1)).startsWith("Run the demo again");
    assertThat(first).anyMatch(l -> l.startsWith("call Increment(-5) -> rejected:"));
    assertThat(first).anyMatch(l -> l.contains("history: ") && l.contains("was caused by message #"));
  }

  private List<String> run() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      Demo.run(dir, out);
    }
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
