package io.pachyderm.bench.statestore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one benchmark child JVM to its end: the driver's own JVM flags (run.sh's, which are the
 * parent pom's {@code pachyderm.jvm.flags}, including {@code -XX:+ExitOnOutOfMemoryError}) with
 * the child's {@code -Xmx}, its stdout read as {@link ChildLine}s, its stderr passed through, and a
 * {@link Watchdog} that kills it (SIGKILL) once it completes no call for the stall limit.
 */
final class ChildRun {
  private ChildRun() {}

  /**
   * What a child reported, and how it ended.
   *
   * @param firstCallMs from process start to its {@code first-call-ok} line, -1 when none came
   */
  record Outcome(Map<String, String> figures, Watchdog.Verdict verdict, long firstCallMs, long wallMs) {
    boolean completed() {
      return verdict instanceof Watchdog.Verdict.Completed;
    }
  }

  static Outcome run(Class<?> mainClass, List<String> args, String heapMax, long stallMs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-Xmx")) {
        command.add(flag);
      }
    }
    command.add("-Xmx" + heapMax);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    command.addAll(args);
    long startNs = System.nanoTime();
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Watchdog watchdog = new Watchdog(stallMs, startNs);
    Map<String, String> figures = new LinkedHashMap<>();
    long[] firstCallNs = {-1};
    boolean[] finished = {false};
    Thread reader = new Thread(() -> read(child, watchdog, figures, firstCallNs, finished, startNs),
        "child-reader");
    reader.setDaemon(true);
    reader.start();
    boolean killed = false;
    while (!child.waitFor(1, TimeUnit.SECONDS)) {
      boolean stalled;
      synchronized (watchdog) {
        stalled = watchdog.stalled(System.nanoTime());
      }
      if (stalled) {
        System.err.println("[driver] no call completed for " + stallMs / 1000 + " s: killing the child (SIGKILL)");
        child.destroyForcibly();
        child.waitFor();
        killed = true;
        break;
      }
    }
    reader.join(TimeUnit.SECONDS.toMillis(30));
    long wallMs = (System.nanoTime() - startNs) / 1_000_000;
    synchronized (watchdog) {
      Watchdog.Verdict verdict = watchdog.verdict(killed, child.exitValue(), finished[0]);
      long firstMs = firstCallNs[0] < 0 ? -1 : (firstCallNs[0] - startNs) / 1_000_000;
      return new Outcome(Map.copyOf(figures), verdict, firstMs, wallMs);
    }
  }

  private static void read(Process child, Watchdog watchdog, Map<String, String> figures, long[] firstCallNs,
                           boolean[] finished, long startNs) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        ChildLine parsed;
        try {
          parsed = ChildLine.parse(line);
        } catch (IllegalArgumentException e) {
          System.err.println("[driver] " + e.getMessage());
          continue;
        }
        long nowNs = System.nanoTime();
        synchronized (watchdog) {
          if (parsed instanceof ChildLine.Progress p) {
            watchdog.progress(p.done(), nowNs);
          } else if (parsed instanceof ChildLine.Result r) {
            figures.put(r.key(), r.value());
          } else if (parsed instanceof ChildLine.FirstCallOk) {
            firstCallNs[0] = nowNs;
          } else if (parsed instanceof ChildLine.Done) {
            finished[0] = true;
          } else if (parsed instanceof ChildLine.Other o) {
            System.err.println("[child out] " + o.text());
          }
        }
      }
    } catch (IOException e) {
      System.err.println("[driver] reading the child's output failed after "
          + (System.nanoTime() - startNs) / 1_000_000 + " ms: " + e);
    }
  }
}
