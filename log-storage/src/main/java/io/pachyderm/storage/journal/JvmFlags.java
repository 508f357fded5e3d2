package io.pachyderm.storage.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JVM flags the event journal (Chronicle Queue) needs on Java 17+, and a check that names the
 * missing ones. Without them Chronicle fails deep inside its first use (an
 * {@code IllegalAccessException} several causes down, under "cannot start"); the check turns that
 * into one message that says what to add (issue 10).
 *
 * <p>{@link #FLAGS} is the same list as the parent pom's {@code pachyderm.jvm.flags} property, from
 * which the launcher, the benchmarks and the tests take theirs ({@code JvmFlagsTest} keeps the two
 * equal).
 */
public final class JvmFlags {
  /** Every flag, as a JVM command line takes it. */
  public static final List<String> FLAGS = List.of(
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true");

  private JvmFlags() {}

  /** The module flags of {@link #FLAGS} that this JVM was started without (the system property is optional). */
  public static List<String> missing() {
    Module unnamed = JvmFlags.class.getClassLoader().getUnnamedModule();
    List<String> missing = new ArrayList<>();
    for (String flag : FLAGS) {
      boolean exports = flag.startsWith("--add-exports=");
      if (!exports && !flag.startsWith("--add-opens=")) {
        continue;
      }
      String target = flag.substring(flag.indexOf('=') + 1, flag.lastIndexOf('='));
      String moduleName = target.substring(0, target.indexOf('/'));
      String pkg = target.substring(target.indexOf('/') + 1);
      Optional<Module> module = ModuleLayer.boot().findModule(moduleName);
      if (module.isEmpty()) {
        continue; // e.g. jdk.compiler on a JRE: nothing to open, and Chronicle does without it
      }
      boolean granted = exports ? module.get().isExported(pkg, unnamed) : module.get().isOpen(pkg, unnamed);
      if (!granted) {
        missing.add(flag);
      }
    }
    return missing;
  }

  /**
   * @param who what needs the journal, for the message ("node n1", "the local ecosystem")
   * @throws IllegalStateException naming the missing flags, if any
   */
  public static void requireForJournal(String who) {
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(who + " keeps an event journal (Chronicle Queue), which needs JVM flags this "
          + "JVM was started without: " + String.join(" ", missing) + ". Start the JVM with all of: "
          + String.join(" ", FLAGS) + " (README, Embedding; the parent pom's pachyderm.jvm.flags property), "
          + "or turn the journal off (PachydermNode.Builder.journalEnabled(false)).");
    }
  }
}
