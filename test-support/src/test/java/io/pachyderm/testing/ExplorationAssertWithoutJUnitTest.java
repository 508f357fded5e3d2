package io.pachyderm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ExplorationAssert is usable from a plain {@code main} (a model check run by hand or in CI
 * without a test framework): JUnit is an optional dependency of test-support, needed only by
 * {@link SimulationExtension} and the annotations.
 */
class ExplorationAssertWithoutJUnitTest {
  @Test
  void explorationAssertRunsInAClassLoaderWithoutJUnit() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.startsWith("junit-") || name.startsWith("surefire") || name.startsWith("assertj-")) {
        continue;
      }
      urls.add(Path.of(entry).toUri().toURL());
    }
    try (URLClassLoader noJUnit = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> Class.forName("org.junit.jupiter.api.Test", false, noJUnit))
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> main = Class.forName(ExplorationAssertMain.class.getName(), true, noJUnit);
      assertThat(main.getClassLoader()).isSameAs(noJUnit);
      Method run = main.getMethod("main", String[].class);
      run.invoke(null, (Object) new String[0]);
    }
  }

  /** What a Maven user of test-support gets: no JUnit artifact unless they declare it themselves. */
  @Test
  void junitIsAnOptionalDependencyOfTestSupport() throws Exception {
    Path pom = Path.of("pom.xml");
    String xml = Files.readString(pom, StandardCharsets.UTF_8);
    Matcher dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(xml);
    int junitDependencies = 0;
    while (dependency.find()) {
      String d = dependency.group(1);
      if (!d.contains("<groupId>org.junit")) {
        continue;
      }
      junitDependencies++;
      assertThat(d.contains("<optional>true</optional>") || d.contains("<scope>test</scope>"))
          .as("JUnit dependency of test-support is optional or test-scoped: " + d.strip()).isTrue();
    }
    assertThat(junitDependencies).isPositive();
  }
}
