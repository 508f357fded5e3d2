package io.pachyderm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.examples.counter.Counter;
import io.pachyderm.local.LocalPachyderm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local ecosystem loses no acknowledged call when its JVM is killed with SIGKILL. */
class LocalCrashTest {
  @TempDir
  Path dir;

  @Test
  void killDashNineLosesNoAcknowledgedCall() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashingWriter.class.getName());
    command.add(dir.toString());
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    long acknowledged = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          acknowledged = Long.parseLong(line.substring(4));
          if (acknowledged >= 200) {
            break;
          }
        }
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no snapshot on stop
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(acknowledged).as("the child acknowledged calls before it was killed").isGreaterThanOrEqualTo(200);
    try (LocalPachyderm local = LocalPachyderm.builder(dir).entityTypes(ExampleTypes.all())
        .effectHandler(Counter.ADMIN_MAILER, (Object effect, io.pachyderm.entity.EffectContext ctx) -> { })
        .open()) {
      assertThat(local.query(Counter.TYPE.ref("crash")).state().count()).isGreaterThanOrEqualTo(acknowledged);
    }
  }
}
