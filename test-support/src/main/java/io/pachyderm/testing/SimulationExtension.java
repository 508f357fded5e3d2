package io.pachyderm.testing;

import io.pachyderm.simulation.Counterexample;
import io.pachyderm.simulation.Schedule;
import io.pachyderm.simulation.SimulationFailure;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit 5 side of the simulation ecosystem, registered by {@link SimulationTest} and
 * {@link SimulationSeeds} (or by {@code @ExtendWith(SimulationExtension.class)}).
 *
 * <ul>
 *   <li>Injects the test's seed into {@link Seed} parameters: {@value #SEED_PROPERTY} (a JUnit
 *       configuration parameter, which falls back to the system property of that name) if set
 *       and not blank, else a fresh random non-negative one per test, drawn once and shared by the
 *       test's {@code @BeforeEach}, test and {@code @AfterEach} methods.</li>
 *   <li>When a test (or its {@code @BeforeEach}/{@code @AfterEach}) that used a seed fails, the
 *       failure is rethrown with {@code replay with -Dpachyderm.seed=<seed>} appended to its
 *       message and the original as its cause. An {@link AssertionFailedError} stays one (with its
 *       expected and actual values), any other {@link AssertionError} (e.g. a
 *       {@link SimulationFailure}) becomes a plain {@code AssertionError}, and an exception becomes
 *       an {@code AssertionError} whose message starts with the exception's class and message.
 *       Aborted tests (failed assumptions) are left alone.</li>
 *   <li>When the failure (or one of its causes) is a {@link SimulationFailure} found by an
 *       {@code Explorer}, or a {@link FinalWorldFailure}, its schedule is saved to
 *       {@code <dir>/<test class>.<method>.schedule} ({@code .seed-<n>.schedule} for a
 *       {@link SimulationSeeds} invocation, so invocations do not overwrite each other) and the
 *       absolute path added to the message; {@code Schedule.load(path)} and
 *       {@code explorer.replay(schedule)} rerun it. {@code <dir>} is {@value #DIRECTORY_PROPERTY}
 *       if set, else {@value #DIRECTORY_DEFAULT} relative to the working directory (the module's
 *       directory under Maven Surefire).</li>
 *   <li>Provides the invocations of {@link SimulationSeeds} methods: one per seed, named
 *       {@code seed <n>}, the first seed being the base ({@value #SEED_PROPERTY} or random) and the
 *       others drawn from a generator seeded with it.</li>
 * </ul>
 *
 * <p>Stateless: all per-test state lives in the JUnit extension context store, so one instance
 * may serve tests running in parallel.
 */
public final class SimulationExtension implements ParameterResolver, TestExecutionExceptionHandler,
    LifecycleMethodExecutionExceptionHandler, TestTemplateInvocationContextProvider {

  /** The configuration parameter (or system property) that fixes the seed: a whole number. */
  public static final String SEED_PROPERTY = "pachyderm.seed";
  /** The configuration parameter (or system property) naming where schedules are saved. */
  public static final String DIRECTORY_PROPERTY = "pachyderm.simulation.dir";
  /** Where schedules are saved by default, relative to the working directory. */
  public static final String DIRECTORY_DEFAULT = "target/pachyderm-simulation";
  /** Most invocations one {@link SimulationSeeds} method may ask for. */
  public static final int SEEDS_MAX = 100_000;

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SimulationExtension.class);
  private static final String SEED_KEY = "seed";
  /** Set in a {@link SimulationSeeds} invocation's own store, to name its schedule file after its seed. */
  private static final String INVOCATION_KEY = "invocation";
  /** The failure this extension last rethrew for the test, so that it is never augmented twice. */
  private static final String AUGMENTED_KEY = "augmented";
  /** How far down a chain of causes to look for a replayable schedule; chains can be cyclic. */
  private static final int CAUSES_MAX = 16;

  // ---- seeds --------------------------------------------------------------------------------

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.isAnnotated(Seed.class);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type != long.class && type != Long.class) {
      throw new ParameterResolutionException("@Seed goes on a long parameter, but " + parameter.getParameter()
          + " of " + parameter.getDeclaringExecutable() + " is a " + type.getName());
    }
    if (!(parameter.getDeclaringExecutable() instanceof Method)) {
      throw new ParameterResolutionException("@Seed is for test and lifecycle method parameters, not constructor "
          + "parameters: one test instance may serve several seeds");
    }
    return seedOf(context);
  }

  /**
   * The test's seed, drawn (or read from {@value #SEED_PROPERTY}) on first use. Not through the
   * store's getOrComputeIfAbsent: a bad {@value #SEED_PROPERTY} would be memoized there as a
   * failure and rethrown again by the exception handler's own look-up.
   */
  private static long seedOf(ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    Long seed = store.get(SEED_KEY, Long.class);
    if (seed == null) {
      seed = baseSeed(context);
      store.put(SEED_KEY, seed);
    }
    return seed;
  }

  /** {@value #SEED_PROPERTY} if set and not blank, else a random non-negative seed (easy to copy). */
  static long baseSeed(ExtensionContext context) {
    Optional<String> configured = context.getConfigurationParameter(SEED_PROPERTY);
    if (configured.isEmpty() || configured.get().isBlank()) {
      return ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    }
    String text = configured.get().strip();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new ExtensionConfigurationException(SEED_PROPERTY + " must be a whole number (the seed a failed run "
          + "printed), got '" + text + "'", e);
    }
  }

  /**
   * The seeds of a {@link SimulationSeeds} run: {@code base} first, so that replaying a failing
   * invocation's seed runs it first, then seeds drawn from a generator seeded with {@code base}
   * (not {@code base + i}: callers such as {@code Explorer.randomWalks(seed, n)} use consecutive
   * seeds themselves, and consecutive bases would make invocations overlap).
   */
  static long[] seeds(long base, int count) {
    long[] out = new long[count];
    out[0] = base;
    SplittableRandom random = new SplittableRandom(base);
    for (int i = 1; i < count; i++) {
      out[i] = random.nextLong() & Long.MAX_VALUE;
    }
    return out;
  }

  // ---- @SimulationSeeds ---------------------------------------------------------------------

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return AnnotationSupport.isAnnotated(context.getTestMethod(), SimulationSeeds.class);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    SimulationSeeds settings = AnnotationSupport.findAnnotation(context.getTestMethod(), SimulationSeeds.class)
        .orElseThrow();
    int count = settings.count();
    if (count < 1 || count > SEEDS_MAX) {
      throw new ExtensionConfigurationException("@SimulationSeeds(count = " + count + ") on "
          + context.getRequiredTestMethod() + ": count must be between 1 and " + SEEDS_MAX);
    }
    long[] seeds = seeds(baseSeed(context), count);
    return IntStream.range(0, count).mapToObj(i -> new SeedInvocation(seeds[i]));
  }

  /** One invocation of a {@link SimulationSeeds} method: its name, and its seed put where {@link Seed} reads it. */
  private record SeedInvocation(long seed) implements TestTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return "seed " + seed;
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      // A callback rather than a second ParameterResolver, which would compete with this
      // extension's for @Seed parameters. Callbacks run before @BeforeEach methods and the test.
      BeforeEachCallback putSeed = context -> {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        store.put(SEED_KEY, seed);
        store.put(INVOCATION_KEY, Boolean.TRUE);
      };
      return List.of(putSeed);
    }
  }

  // ---- failures -----------------------------------------------------------------------------

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
    throw withReplay(context, thrown);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable thrown)
      throws Throwable {
    throw withReplay(context, thrown);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable thrown)
      throws Throwable {
    throw withReplay(context, thrown);
  }

  /** {@code thrown} with how to replay it added, or {@code thrown} itself when there is nothing to add. */
  private static Throwable withReplay(ExtensionContext context, Throwable thrown) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    if (thrown instanceof TestAbortedException || thrown == store.get(AUGMENTED_KEY)) {
      return thrown;
    }
    Long seed = store.get(SEED_KEY, Long.class);
    Schedule schedule = replayableSchedule(thrown);
    if (seed == null && schedule == null) {
      return thrown; // the test used no seed and found no schedule: a replay line would mislead
    }
    List<String> lines = new ArrayList<>();
    if (seed != null) {
      lines.add("replay with -D" + SEED_PROPERTY + "=" + seed);
    }
    if (schedule != null) {
      lines.add(save(context, schedule, store.get(INVOCATION_KEY) != null ? seed : null));
    }
    Throwable out = augmented(thrown, String.join("\n", lines));
    store.put(AUGMENTED_KEY, out);
    return out;
  }

  /**
   * The schedule that replays {@code thrown} in an {@code Explorer}, if it carries one.
   *
   * <p>A {@link SimulationFailure} thrown by {@code Simulation.run()} carries an empty schedule
   * and the steps the simulation took: its deliveries are not {@code Explorer} transitions, so
   * only its seed replays it. An {@code Explorer} counterexample has exactly one step per choice
   * of its schedule ({@code Explorer.replay} of it), which tells the two apart.
   */
  static Schedule replayableSchedule(Throwable thrown) {
    Throwable t = thrown;
    for (int depth = 0; t != null && depth < CAUSES_MAX; depth++, t = t.getCause()) {
      if (t instanceof FinalWorldFailure) {
        return ((FinalWorldFailure) t).schedule();
      }
      if (t instanceof SimulationFailure) {
        Counterexample c = ((SimulationFailure) t).counterexample(); // null once serialized (transient)
        // A Simulation's counterexample has no schedule (its seed replays it); an Explorer's has.
        if (c != null && c.schedule() != null) {
          return c.schedule();
        }
        return null;
      }
    }
    return null;
  }

  /** Saves the schedule and returns the line that says where, or why it could not be saved. */
  private static String save(ExtensionContext context, Schedule schedule, Long invocationSeed) {
    Path dir = Path.of(context.getConfigurationParameter(DIRECTORY_PROPERTY).filter(s -> !s.isBlank())
        .orElse(DIRECTORY_DEFAULT));
    String name = context.getRequiredTestClass().getName() + "." + context.getRequiredTestMethod().getName()
        + (invocationSeed == null ? "" : ".seed-" + invocationSeed) + ".schedule";
    Path file = dir.resolve(name).toAbsolutePath();
    String shown = schedule.isEmpty() ? "(empty)" : schedule.toString();
    try {
      Files.createDirectories(file.getParent());
      schedule.save(file);
      return "schedule " + shown + " saved to " + file + " (replay: explorer.replay(Schedule.load(path)))";
    } catch (IOException | RuntimeException e) {
      // The test's own failure matters more than the file: report and carry on.
      return "schedule " + shown + " could not be saved to " + file + ": " + e;
    }
  }

  /**
   * A failure like {@code thrown} with {@code lines} appended to its message and {@code thrown}
   * as its cause. The stack trace is {@code thrown}'s, so the report points at the test's line,
   * not at this extension.
   */
  static Throwable augmented(Throwable thrown, String lines) {
    Throwable out;
    if (thrown instanceof AssertionFailedError) {
      AssertionFailedError failed = (AssertionFailedError) thrown;
      String message = append(failed.getMessage(), lines);
      out = failed.isExpectedDefined() && failed.isActualDefined()
          ? new AssertionFailedError(message, failed.getExpected(), failed.getActual(), failed)
          : new AssertionFailedError(message, failed);
    } else if (thrown instanceof AssertionError) {
      out = new AssertionError(append(thrown.getMessage(), lines), thrown);
    } else {
      out = new AssertionError(append(thrown.toString(), lines), thrown);
    }
    out.setStackTrace(thrown.getStackTrace());
    return out;
  }

  private static String append(String message, String lines) {
    return message == null || message.isEmpty() ? lines : message + "\n" + lines;
  }
}
