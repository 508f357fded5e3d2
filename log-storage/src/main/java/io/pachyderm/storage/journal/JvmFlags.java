package io.pachyderm.storage.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JVM flags the event journal (Chronicle Queue) needs on Java 17+, and a check that names the
 * missing ones and refuses a Java release outside the supported range. Without them Chronicle fails deep inside its first use (an
 * {@code IllegalAccessException} several causes down, under "cannot start"); the check turns that
 * into one message that says what to add (issue 10).
 *
 * <p>{@link #FLAGS} also holds {@code -XX:+ExitOnOutOfMemoryError}, which a node needs (fail-stop on
 * memory exhaustion) but the journal does not; {@link #missing()} checks the module flags only.
 *
 * <p>{@link #FLAGS} is the same list as the parent pom's {@code pachyderm.jvm.flags} property, from
 * which the launcher, the benchmarks and the tests take theirs ({@code JvmFlagsTest} keeps the two
 * equal).
 */
public final class JvmFlags {
  /**
   * Every flag, as a JVM command line takes it. Fewer than Chronicle's generic list: these are what
   * the journal's tests need on Java 17 and 25 (see the parent pom's comment on the property).
   */
  public static final List<String> FLAGS = List.of(
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "-Dchronicle.analytics.disable=true",
      // Not for the journal: a JVM out of memory loses threads one by one and stays up as a zombie
      // node that others cannot replace (issue 12); ending it lets the cluster elect another leader.
      "-XX:+ExitOnOutOfMemoryError");

  /** The oldest Java feature release the journal runs on (Chronicle Queue 5.27ea0 with {@link #FLAGS}). */
  public static final int JAVA_FEATURE_MIN = 17;
  /** The newest Java feature release the journal's tests have passed on here. */
  public static final int JAVA_FEATURE_MAX = 25;

  private JvmFlags() {}

  /**
   * Why the journal cannot run on Java {@code feature}, or empty when it can. Chronicle Queue reaches
   * into JDK internals that change between releases, so a release outside the tested range fails
   * in ways that name neither Chronicle nor the Java version.
   */
  static Optional<String> unsupportedJava(int feature, String who) {
    if (feature >= JAVA_FEATURE_MIN && feature <= JAVA_FEATURE_MAX) {
      return Optional.empty();
    }
    return Optional.of(who + " keeps an event journal (Chronicle Queue), which runs on Java " + JAVA_FEATURE_MIN
        + " to " + JAVA_FEATURE_MAX + "; this JVM is Java " + feature + " (" + System.getProperty("java.home")
        + "). Start it with a JDK from " + JAVA_FEATURE_MIN + " to " + JAVA_FEATURE_MAX + " (JAVA_HOME for "
        + "bin/pachyderm), or turn the journal off (PachydermNode.Builder.journalEnabled(false)).");
  }

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
   * @throws IllegalStateException when this Java release is outside {@link #JAVA_FEATURE_MIN} to
   *     {@link #JAVA_FEATURE_MAX}, or naming the missing flags, if any
   */
  public static void requireForJournal(String who) {
    Optional<String> unsupported = unsupportedJava(Runtime.version().feature(), who);
    if (unsupported.isPresent()) {
      throw new IllegalStateException(unsupported.get());
    }
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(who + " keeps an event journal (Chronicle Queue), which needs JVM flags this "
          + "JVM was started without: " + String.join(" ", missing) + ". Start the JVM with all of: "
          + String.join(" ", FLAGS) + " (README, Embedding; the parent pom's pachyderm.jvm.flags property), "
          + "or turn the journal off (PachydermNode.Builder.journalEnabled(false)).");
    }
  }
}
