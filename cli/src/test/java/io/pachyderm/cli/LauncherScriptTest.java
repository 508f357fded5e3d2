package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** bin/pachyderm keeps a copy of the parent pom's JVM flags; the two must not drift apart. */
class LauncherScriptTest {
  @Test
  void scriptPassesTheJvmFlagsOfThePom() throws IOException {
    Path repo = repoRoot();
    String pom = Files.readString(repo.resolve("pom.xml"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<pachyderm\\.jvm\\.flags>(.*?)</pachyderm\\.jvm\\.flags>", Pattern.DOTALL)
        .matcher(pom);
    assertThat(m.find()).as("pachyderm.jvm.flags in pom.xml").isTrue();
    List<String> pomFlags = Arrays.asList(m.group(1).strip().split("\\s+"));

    assertThat(scriptFlags(repo.resolve("bin/pachyderm"))).isEqualTo(pomFlags);
  }

  @Test
  void scriptIsExecutableBash() throws Exception {
    Path script = repoRoot().resolve("bin/pachyderm");
    assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
    Process syntaxCheck = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
    String output = new String(syntaxCheck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(syntaxCheck.waitFor()).as(output).isZero();
  }

  /**
   * `bin/pachyderm demo` runs with the logging config the script names for it; with that config
   * the demo's output holds no log line (its embedded node logs INFO under the nodes' config).
   */
  @Test
  void theDemoPrintsTheDemoAndNoLogLines(@org.junit.jupiter.api.io.TempDir Path data) throws Exception {
    Path repo = repoRoot();
    String script = Files.readString(repo.resolve("bin/pachyderm"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("== demo \\]\\]; then\\s+logback=\"\\$repo/(config/[\\w.-]+\\.xml)\"").matcher(script);
    assertThat(m.find()).as("bin/pachyderm picks a logging config for demo").isTrue();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(scriptFlags(repo.resolve("bin/pachyderm")));
    command.addAll(List.of("-Dlogback.configurationFile=" + repo.resolve(m.group(1)), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), PachydermCli.class.getName(), "demo", data.toString()));
    Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
    demo.getOutputStream().close();
    String output = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(demo.waitFor()).as(output).isZero();
    assertThat(output).contains("Pachyderm demo").contains("credit landed");
    assertThat(output.lines().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +(TRACE|DEBUG|INFO|WARN|ERROR).*")))
        .as("log lines in the demo's output").isEmpty();
    assertThat(output).as("java.util.logging lines (gRPC's TcpMetrics)").doesNotContain("TcpMetrics");
  }

  private static List<String> scriptFlags(Path script) throws IOException {
    List<String> flags = new ArrayList<>();
    boolean inArray = false;
    for (String line : Files.readAllLines(script, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (t.equals("jvm_flags=(")) {
        inArray = true;
      } else if (inArray && t.equals(")")) {
        return flags;
      } else if (inArray && !t.isEmpty() && !t.startsWith("#")) {
        flags.add(t);
      }
    }
    throw new AssertionError("no jvm_flags=( ... ) array in " + script);
  }

  /** Surefire runs in cli/; the repository root is the nearest parent holding bin/pachyderm. */
  private static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("bin/pachyderm")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new AssertionError("bin/pachyderm not found above " + Path.of("").toAbsolutePath());
  }
}
