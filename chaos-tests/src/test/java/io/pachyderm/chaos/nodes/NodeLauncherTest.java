package io.pachyderm.chaos.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeLauncherTest {
  @Test
  void nodesGetTheParentPomsJvmFlagsASmallHeapAndThisClasspath() {
    assertThat(NodeLauncher.projectFlags()).contains("--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dchronicle.analytics.disable=true", "-XX:+ExitOnOutOfMemoryError");
    assertThat(NodeLauncher.javaCommand()).as("once, from the project flags")
        .containsOnlyOnce("-XX:+ExitOnOutOfMemoryError");
    assertThat(NodeLauncher.javaCommand()).contains(NodeLauncher.HEAP, "-XX:TieredStopAtLevel=1",
        System.getProperty("java.class.path"), ChaosNode.class.getName());
  }
}
