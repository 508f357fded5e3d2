package io.pachyderm.cli;

import io.pachyderm.api.CommandRejectedException;
import io.pachyderm.api.OutcomeUnknownException;
import io.pachyderm.api.PachydermException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code pachyderm} command. Exit codes: {@value #EXIT_OK} success, {@value #EXIT_FAILURE}
 * failure, {@value #EXIT_REJECTED} rejected command, {@value #EXIT_OUTCOME_UNKNOWN} outcome
 * unknown, {@value #EXIT_NOT_FOUND} no such dead letter, {@value #EXIT_BAD_INPUT} bad input.
 */
@Command(name = "pachyderm",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = PachydermCli.Version.class,
    description = "Durable event-sourced entities on Apache Ratis: run nodes, call entities, run a local cluster.",
    subcommands = {
        NodeCommand.class, CallCommand.class, SendCommand.class, QueryCommand.class, HistoryCommand.class,
        FollowCommand.class, StatusCommand.class,
        DeadLettersCommand.class, AdminCommand.class, ReseedCommand.class, DemoCommand.class, ClusterCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        " 0:success",
        " 1:failure (a node did not start, no leader, I/O)",
        " 2:the command was rejected and wrote nothing (admin: refused, nothing changed)",
        " 3:outcome unknown: no answer in time; the command may or may not have been applied",
        " 4:no such dead letter (dead-letters redrive, discard); nothing was changed",
        " 5:not sent: no node could be reached; nothing was applied, safe to retry",
        "64:bad input (options, peers, JSON)"})
public final class PachydermCli implements Runnable {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILURE = 1;
  static final int EXIT_REJECTED = 2;
  static final int EXIT_OUTCOME_UNKNOWN = 3;
  /** The id names nothing to act on; distinct from 1 so that scripts can treat a repeated action as done. */
  static final int EXIT_NOT_FOUND = 4;
  /** Distinct from 3: the command certainly reached no node, so a script may simply retry it. */
  static final int EXIT_NOT_SENT = 5;
  /** As sysexits' EX_USAGE; picocli's own default (2) would collide with "rejected". */
  static final int EXIT_BAD_INPUT = 64;

  /** Error lines are cut here: an exception chain can be pages long and the contract is one line. */
  private static final int ERROR_LINE_CHARS_MAX = 1000;
  private static final int CAUSE_DEPTH_MAX = 4;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    routeJavaUtilLoggingToSlf4j();
    int exitCode;
    try {
      exitCode = commandLine().execute(args);
    } catch (LinkageError e) {
      // Seen when a jar on the classpath is rewritten by a build running at the same time.
      System.err.println("pachyderm: broken classpath (" + oneLine(e.toString())
          + "); rebuild with: mvn -B -DskipTests install");
      exitCode = EXIT_FAILURE;
    }
    System.exit(exitCode);
  }

  /** The configured command line; tests run it in-process with their own out and err writers. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PachydermCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(PachydermCli::onBadInput);
    cl.setExecutionExceptionHandler(PachydermCli::onFailure);
    return cl;
  }

  /**
   * gRPC (shaded inside Ratis) logs through java.util.logging, which would print INFO lines such
   * as "Epoll available" to stderr past logback's levels. Routed to SLF4J, the logback config
   * decides.
   */
  private static void routeJavaUtilLoggingToSlf4j() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    // JUL filters before the bridge: FINE records would be built only for logback to drop them.
    java.util.logging.Logger.getLogger("").setLevel(Level.INFO);
  }

  private static int onBadInput(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    cmd.getErr().println(name + ": " + oneLine(e.getMessage()) + " (see '" + name + " --help')");
    return EXIT_BAD_INPUT;
  }

  private static int onFailure(Exception e, CommandLine cmd, ParseResult parsed) {
    Throwable t = unwrap(e);
    String name = cmd.getCommandSpec().qualifiedName();
    if (t instanceof CommandRejectedException r) {
      cmd.getErr().println(name + ": rejected (" + r.kind() + "): " + oneLine(r.detail()));
      return EXIT_REJECTED;
    }
    if (t instanceof io.pachyderm.api.AccessDeniedException) {
      // Refused before anything was written or read: another try gets the same answer.
      cmd.getErr().println(name + ": refused: " + oneLine(t.getMessage()));
      return EXIT_REJECTED;
    }
    if (t instanceof io.pachyderm.cluster.ClusterMismatchException) {
      // Refused before anything was written, as for a refused caller: the same settings get the same answer.
      cmd.getErr().println(name + ": refused: " + oneLine(t.getMessage()));
      return EXIT_REJECTED;
    }
    if (t instanceof io.pachyderm.api.NotSentException) {
      cmd.getErr().println(name + ": not sent: " + oneLine(t.getMessage()));
      return EXIT_NOT_SENT;
    }
    if (t instanceof OutcomeUnknownException) {
      cmd.getErr().println(name + ": outcome unknown: " + describe(t));
      return EXIT_OUTCOME_UNKNOWN;
    }
    if (t instanceof IllegalArgumentException) {
      // Input checks say all there is to say; a wrapped cause only repeats it.
      cmd.getErr().println(name + ": " + oneLine(t.getMessage()) + " (see '" + name + " --help')");
      return EXIT_BAD_INPUT;
    }
    if (t instanceof CliFailure) {
      cmd.getErr().println(name + ": " + describe(t));
      return EXIT_FAILURE;
    }
    // These two carry messages written for users; for anything else the class name is a clue.
    boolean selfExplaining = t instanceof UncheckedIOException || t instanceof PachydermException;
    cmd.getErr().println(name + ": " + (selfExplaining ? "" : t.getClass().getSimpleName() + ": ") + describe(t)
        + " (PACHYDERM_DEBUG=1 prints the stack trace)");
    if (System.getenv("PACHYDERM_DEBUG") != null) {
      t.printStackTrace(cmd.getErr());
    }
    return EXIT_FAILURE;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The message and what its causes add, on one line. A cause whose message is already said
   * (often just a path, as in java.nio.file's exceptions) adds its class name instead.
   */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
    Throwable cause = t.getCause();
    for (int depth = 0; cause != null && cause != t && depth < CAUSE_DEPTH_MAX; depth++) {
      String m = cause.getMessage();
      String name = cause.getClass().getSimpleName();
      if (m != null && sb.indexOf(m) < 0) {
        sb.append(": ").append(m);
      } else if (sb.indexOf(name) < 0) {
        sb.append(" (").append(name).append(')');
      }
      t = cause;
      cause = cause.getCause();
    }
    return oneLine(sb.toString());
  }

  static String oneLine(String s) {
    String line = String.valueOf(s).strip().replaceAll("\\s*\\R\\s*", " ");
    return line.length() <= ERROR_LINE_CHARS_MAX ? line : line.substring(0, ERROR_LINE_CHARS_MAX) + "...";
  }

  /** From the jar's manifest; absent when run from classes (tests, IDE). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = PachydermCli.class.getPackage().getImplementationVersion();
      return new String[] {"pachyderm " + (v == null ? "(development build)" : v)};
    }
  }
}
