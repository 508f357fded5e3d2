package io.pachyderm.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the fail-stop tests, started as the project starts a node: this JVM's project
 * flags (surefire passed it the parent pom's {@code pachyderm.jvm.flags}, {@code
 * -XX:+ExitOnOutOfMemoryError} among them) and logging setup, a heap of its own, this classpath.
 * Its output (stdout and stderr) is collected; {@link #close()} kills it if it still runs (SIGKILL).
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.append(line).append('\n');
        }
      } catch (IOException e) {
        output.append("(output unreadable: ").append(e).append(")\n");
      }
    }, "child-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(String heap, Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add(heap);
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Dlogback.")
          || arg.equals("-XX:+ExitOnOutOfMemoryError")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /** Whether this JVM's own flags (the pom's) ask the JVM to exit on running out of memory. */
  static boolean projectFlagsExitOnOutOfMemory() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+ExitOnOutOfMemoryError");
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits up to {@code seconds} for the child to end; true if it did. */
  boolean awaitExit(long seconds) throws InterruptedException {
    boolean ended = process.waitFor(seconds, TimeUnit.SECONDS);
    if (ended) {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
    return ended;
  }

  /** Waits (up to {@code seconds}) until the output holds {@code text}; true if it does. */
  boolean awaitOutput(String text, long seconds) throws InterruptedException {
    for (long polls = seconds * 10; polls > 0; polls--) {
      if (output.indexOf(text) >= 0) {
        return true;
      }
      if (!process.isAlive()) {
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return output.indexOf(text) >= 0;
      }
      Thread.sleep(100);
    }
    return false;
  }

  int exitValue() {
    return process.exitValue();
  }

  String output() {
    return output.toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
