package io.pachyderm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A jar built as a user outside this project builds one: Java sources compiled with javac against
 * this test's class path (which holds entity-runtime), plus resources such as a
 * {@code META-INF/services} file. None of its classes is on the test's class path.
 */
final class UserJar {
  private UserJar() {}

  /** @param sources Java sources by path under the source root; @param resources other files by jar path */
  static Path build(Path workDir, String name, Map<String, String> sources, Map<String, String> resources)
      throws IOException {
    Path src = Files.createDirectories(workDir.resolve(name + "-src"));
    Path classes = Files.createDirectories(workDir.resolve(name + "-classes"));
    List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", classes.toString(),
        "-classpath", System.getProperty("java.class.path")));
    for (var source : sources.entrySet()) {
      Path file = src.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: the tests need a JDK, not a JRE");
    }
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int exit = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
    if (exit != 0) {
      throw new IllegalStateException("javac failed (exit " + exit + ") for " + name + ":\n" + diagnostics);
    }
    Path jar = workDir.resolve(name + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(classes)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path file : files) {
        put(out, classes.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
      }
      for (var resource : resources.entrySet()) {
        put(out, resource.getKey(), resource.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return jar;
  }

  private static void put(JarOutputStream out, String path, byte[] bytes) throws IOException {
    out.putNextEntry(new JarEntry(path));
    out.write(bytes);
    out.closeEntry();
  }
}
