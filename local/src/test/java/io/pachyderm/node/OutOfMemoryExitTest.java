package io.pachyderm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node out of memory ends its JVM instead of staying up as a zombie (issue 12: with
 * {@code -Xmx80m} and 400k entities, threads died one by one and the process stayed up, so a
 * leader in that state kept heartbeating and nobody took over). The child gets the project's JVM
 * flags (the parent pom's {@code pachyderm.jvm.flags}, which carry {@code -XX:+ExitOnOutOfMemoryError})
 * and an 80 MB heap, and creates entities until the heap is gone.
 */
class OutOfMemoryExitTest {
  /** HotSpot's exit code for -XX:+ExitOnOutOfMemoryError. */
  private static final int OUT_OF_MEMORY_EXIT_CODE = 3;
  private static final long CHILD_WAIT_SECONDS = 900;

  @TempDir
  Path dir;

  @Test
  void aNodeJvmThatRunsOutOfHeapExitsInsteadOfStayingUp() throws Exception {
    assertThat(ChildJvm.projectFlagsExitOnOutOfMemory()).as("pachyderm.jvm.flags carries -XX:+ExitOnOutOfMemoryError")
        .isTrue();
    try (ChildJvm child = ChildJvm.start("-Xmx80m", MemoryHogMain.class, dir.resolve("node").toString())) {
      boolean ended = child.awaitExit(CHILD_WAIT_SECONDS);
      String tail = tail(child.output());
      assertThat(ended).as("the child ended within %d s (else it is a zombie):\n%s", CHILD_WAIT_SECONDS, tail)
          .isTrue();
      assertThat(child.output()).as(tail).doesNotContain("survived")
          .contains("Terminating due to java.lang.OutOfMemoryError");
      assertThat(child.exitValue()).as(tail).isEqualTo(OUT_OF_MEMORY_EXIT_CODE);
    }
  }

  private static String tail(String output) {
    return output.length() <= 4000 ? output : output.substring(output.length() - 4000);
  }
}
