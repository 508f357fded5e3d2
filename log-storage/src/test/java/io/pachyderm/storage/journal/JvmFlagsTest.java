package io.pachyderm.storage.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JvmFlagsTest {
  /** Run in a JVM started without the flags: prints what a user would see. */
  public static final class Probe {
    public static void main(String[] args) {
      try {
        JvmFlags.requireForJournal("node probe");
        System.out.println("no error");
      } catch (IllegalStateException e) {
        System.out.println(e.getMessage());
      }
    }
  }

  @Test
  void theListIsThePomsOneProperty() throws IOException {
    String pom = Files.readString(Path.of("..", "pom.xml"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("<pachyderm.jvm.flags>([^<]*)</pachyderm.jvm.flags>").matcher(pom);
    assertThat(m.find()).isTrue();
    assertThat(List.of(m.group(1).trim().split("\\s+"))).isEqualTo(JvmFlags.FLAGS);
  }

  @Test
  void javaReleasesOutsideSeventeenToTwentyFiveAreRefusedNamingTheRangeAndTheRelease() {
    assertThat(JvmFlags.unsupportedJava(17, "node n1")).isEmpty();
    assertThat(JvmFlags.unsupportedJava(21, "node n1")).isEmpty();
    assertThat(JvmFlags.unsupportedJava(25, "node n1")).isEmpty();
    assertThat(JvmFlags.unsupportedJava(16, "node n1")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("node n1 keeps an event journal (Chronicle Queue), which runs on Java 17 to 25; this JVM is Java 16")
        .contains("journalEnabled(false)");
    assertThat(JvmFlags.unsupportedJava(26, "the local ecosystem")).isPresent();
    assertThat(JvmFlags.unsupportedJava(Runtime.version().feature(), "this test JVM"))
        .as("the JVM running the tests is supported").isEmpty();
  }

  @Test
  void theTestJvmHasEveryFlag() {
    assertThat(JvmFlags.missing()).isEmpty();
  }

  @Test
  void aJvmWithoutTheFlagsIsToldWhichAreMissingAndWhereToFindThem() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), Probe.class.getName())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).startsWith("node probe keeps an event journal (Chronicle Queue), which needs JVM flags this JVM "
        + "was started without: ")
        .contains("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "pachyderm.jvm.flags", "journalEnabled(false)");
  }
}
