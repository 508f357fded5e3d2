package io.pachyderm.chaos.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's chaos example is {@link ReadmeChaosExampleTest}, character for character: the code
 * between its {@code README:begin} and {@code README:end} lines is the README's
 * {@code <!-- chaos-example -->} code block. Edit both together (copy the test's region into the
 * README).
 */
class ReadmeSnippetTest {
  private static final String README_MARK = "<!-- chaos-example: chaos-tests/src/test/java/io/pachyderm/chaos/example/ReadmeChaosExampleTest.java -->";

  @Test
  void theReadmeShowsExactlyTheExampleThatRuns() throws IOException {
    String test = Files.readString(Path.of("src/test/java/io/pachyderm/chaos/example/ReadmeChaosExampleTest.java"),
        StandardCharsets.UTF_8);
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);

    assertThat(readmeBlock(readme)).isEqualTo(testRegion(test));
  }

  /** The lines strictly between the {@code README:begin} and {@code README:end} lines. */
  static String testRegion(String test) {
    int begin = test.indexOf('\n', test.indexOf("// README:begin")) + 1;
    int end = test.indexOf("// README:end");
    assertThat(begin).as("README:begin in the test").isPositive();
    assertThat(end).as("README:end in the test").isGreaterThan(begin);
    return test.substring(begin, end);
  }

  /** The body of the first {@code ```java} block after the mark. */
  static String readmeBlock(String readme) {
    int mark = readme.indexOf(README_MARK);
    assertThat(mark).as("README has the mark %s", README_MARK).isNotNegative();
    int open = readme.indexOf("```java\n", mark);
    assertThat(open).as("a ```java block after the mark").isNotNegative();
    int begin = open + "```java\n".length();
    int end = readme.indexOf("```\n", begin);
    return readme.substring(begin, end);
  }
}
