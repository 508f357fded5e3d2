package io.pachyderm.chaos.nodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The command line of a chaos node JVM: this JVM's {@code java}, the classpath of {@link NodeCode}
 * (by default this JVM's), the project's JVM
 * flags (the parent pom's {@code pachyderm.jvm.flags}, baked into {@code node-jvm.properties} at
 * build time), a small heap and the C1 compiler only, because three nodes share two cores with
 * the harness.
 */
final class NodeLauncher {
  static final String HEAP = "-Xmx256m";
  private static final String FLAGS_RESOURCE = "node-jvm.properties";

  private NodeLauncher() {}

  /** {@code java ... ChaosNode} on this JVM's classpath, without the node's own arguments. */
  static List<String> javaCommand() {
    return javaCommand(System.getProperty("java.class.path"));
  }

  /** {@code java -cp classpath ... ChaosNode}, without the node's own arguments. */
  static List<String> javaCommand(String classpath) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(projectFlags());
    // The project flags carry -XX:+ExitOnOutOfMemoryError: a node out of memory ends (fail-stop).
    command.addAll(List.of(HEAP, "-Xms64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dlogback.configurationFile=io/pachyderm/chaos/nodes/logback-node.xml"));
    command.addAll(List.of("-cp", classpath, ChaosNode.class.getName()));
    return command;
  }

  static List<String> projectFlags() {
    Properties p = new Properties();
    try (InputStream in = NodeLauncher.class.getResourceAsStream(FLAGS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(FLAGS_RESOURCE + " is missing from the classpath; build chaos-tests with Maven");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String flags = p.getProperty("jvm.flags", "").strip();
    if (flags.isEmpty() || flags.contains("${")) {
      throw new IllegalStateException(FLAGS_RESOURCE + " was not filtered by Maven: '" + flags + "'");
    }
    return List.of(flags.split("\\s+"));
  }
}
