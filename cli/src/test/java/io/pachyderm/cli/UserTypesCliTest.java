package io.pachyderm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.PachydermNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code node --types JAR}: a node serves an entity type and effect handler compiled outside this
 * project, found through its {@code EntityTypesProvider}; a missing jar, a jar without a provider,
 * a provider that throws and two providers of one type name are each one clear line (exit 64).
 */
class UserTypesCliTest {
  private static final String SERVICES = "META-INF/services/io.pachyderm.entity.EntityTypesProvider";
  /** Bounds the waits for an election and the effect; a failure names what did not happen. */
  private static final int POLLS_MAX = 600;

  @TempDir
  Path dir;

  @Test
  void aNodeServesATypeAndEffectHandlerCompiledOutsideTheProject() throws Exception {
    Path jar = greeterJar("greeter", "greeter");
    Path guestbook = Files.createDirectories(dir.resolve("guestbook"));
    System.setProperty("greeter.guestbook", guestbook.toString());
    String peers = "n1=127.0.0.1:" + FreePorts.one();
    NodeCommand command = parse("node", "--id", "n1", "--peers", peers, "--data", dir.resolve("n1").toString(),
        "--types", jar.toString());
    try (PachydermNode node = command.builder().electionTimeoutMin(Duration.ofSeconds(1)).build().start()) {
      awaitTrue("a ready leader", node::isReadyLeader);
      CliRun call = CliRun.of("call", "--peers", peers, "greeter", "g1", "Greet", "{\"name\":\"ada\"}");
      assertThat(call.exitCode()).as(call.toString()).isZero();
      assertThat(call.outLines()).containsExactly("version: 1", "state: {\"greetings\":1,\"last\":\"ada\"}");
      awaitTrue("the user's effect handler ran", () -> Files.exists(guestbook.resolve("ada")));

      CliRun example = CliRun.of("call", "--peers", peers, "counter", "c1", "Increment", "{\"by\":1}");
      assertThat(example.exitCode()).as("--types replaces the examples: " + example).isNotZero();
      assertThat(example.err()).contains("counter");
    }
  }

  @Test
  void severalEntriesJoinedAsAClassPathAreOneClassLoader() throws Exception {
    Path greeter = greeterJar("greeter", "greeter");
    Path library = UserJar.build(dir, "library", Map.of("com/example/lib/Util.java",
        "package com.example.lib; public final class Util { private Util() {} }"), Map.of());
    NodeCommand command = parse("node", "--id", "n1", "--peers", "n1=127.0.0.1:7001", "--data",
        dir.resolve("n1").toString(), "--types", library + File.pathSeparator + greeter);
    ProvidedTypes types = ProvidedTypes.fromJars(java.util.List.of(library, greeter));
    assertThat(types.types().names()).containsExactly("greeter");
    assertThat(types.effectHandlers()).containsOnlyKeys("guestbook");
    assertThat(command.types).containsExactly(library + File.pathSeparator + greeter);
  }

  @Test
  void aMissingJarIsBadInput() {
    CliRun run = nodeWithTypes(dir.resolve("nowhere.jar").toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--types " + dir.resolve("nowhere.jar") + ": no such file or directory");
  }

  @Test
  void aJarWithoutAProviderIsBadInput() throws Exception {
    Path jar = UserJar.build(dir, "plain", Map.of("com/example/Plain.java",
        "package com.example; public final class Plain {}"), Map.of());
    CliRun run = nodeWithTypes(jar.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("none of these holds a provider")
        .contains("META-INF/services/io.pachyderm.entity.EntityTypesProvider");
  }

  @Test
  void aProviderThatThrowsIsNamed() throws Exception {
    Path jar = UserJar.build(dir, "broken", Map.of("com/example/Broken.java", """
        package com.example;
        public final class Broken implements io.pachyderm.entity.EntityTypesProvider {
          @Override public io.pachyderm.entity.EntityTypes entityTypes() {
            throw new IllegalStateException("no database configured");
          }
        }
        """), Map.of(SERVICES, "com.example.Broken\n"));
    CliRun run = nodeWithTypes(jar.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("entity types provider com.example.Broken (" + jar.toUri().getPath() + ")")
        .contains("failed in entityTypes(): java.lang.IllegalStateException: no database configured");
  }

  @Test
  void aProviderWhoseClassIsMissingIsNamed() throws Exception {
    Path jar = UserJar.build(dir, "dangling", Map.of("com/example/Plain.java",
        "package com.example; public final class Plain {}"), Map.of(SERVICES, "com.example.Gone\n"));
    CliRun run = nodeWithTypes(jar.toString());
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("entity types provider failed to load").contains("com.example.Gone");
  }

  @Test
  void twoProvidersOfOneTypeNameAreRefused() throws Exception {
    Path first = greeterJar("first", "greeter");
    Path second = greeterJar("second", "greeter");
    CliRun run = nodeWithTypes(first + File.pathSeparator + second);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(PachydermCli.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("entity type 'greeter' is registered by two providers: com.example.first.Types ("
        + first.toUri().getPath() + ") and com.example.second.Types (" + second.toUri().getPath() + ")");
  }

  @Test
  void withoutTypesTheLauncherServesTheExamplesProvider() {
    ProvidedTypes types = ProvidedTypes.fromClassPath();
    assertThat(types.types().names()).contains("counter", "profile");
    assertThat(types.effectHandlers()).containsOnlyKeys("admin-mailer");
    assertThat(ProvidedTypes.demoFromClassPath()).isPresent();
  }

  private CliRun nodeWithTypes(String types) {
    return CliRun.of("node", "--id", "n1", "--peers", "n1=127.0.0.1:" + FreePorts.one(), "--data",
        dir.resolve("n1").toString(), "--types", types);
  }

  /**
   * A jar with a greeter entity type named {@code typeName} in package {@code com.example.PKG}: each
   * greeting an event and an at-most-once effect to the "guestbook" handler, which creates a file
   * named after the guest in the directory of the system property {@code greeter.guestbook}.
   */
  private Path greeterJar(String pkg, String typeName) throws Exception {
    String greeter = """
        package com.example.PKG;

        import io.pachyderm.entity.Context;
        import io.pachyderm.entity.Decision;
        import io.pachyderm.entity.Entity;
        import io.pachyderm.entity.EntityType;

        public final class Greeter implements Entity<Greeter.State, Greeter.Command, Greeter.Event> {
          public record State(String last, long greetings) {}
          public sealed interface Command permits Greet {}
          public record Greet(String name) implements Command {}
          public sealed interface Event permits Greeted {}
          public record Greeted(String name) implements Event {}
          public record Welcome(String name) {}

          public static final EntityType<State, Command, Event> TYPE = EntityType.builder("TYPE_NAME", new Greeter(),
              State.class, Command.class, Event.class).types(Welcome.class).build();

          @Override public State initial(String id) { return new State("", 0); }

          @Override public Decision<Event> handle(Command command, State state, Context ctx) {
            Greet greet = (Greet) command;
            return Decision.<Event>emit(new Greeted(greet.name())).effect("guestbook", new Welcome(greet.name()));
          }

          @Override public State apply(Event event, State state) {
            return new State(((Greeted) event).name(), state.greetings() + 1);
          }
        }
        """.replace("PKG", pkg).replace("TYPE_NAME", typeName);
    String types = """
        package com.example.PKG;

        import io.pachyderm.entity.EffectHandler;
        import io.pachyderm.entity.EntityTypes;
        import io.pachyderm.entity.EntityTypesProvider;
        import java.nio.file.Files;
        import java.nio.file.Path;
        import java.util.Map;

        public final class Types implements EntityTypesProvider {
          @Override public EntityTypes entityTypes() { return EntityTypes.of(Greeter.TYPE); }

          @Override public Map<String, EffectHandler<?>> effectHandlers() {
            EffectHandler<Greeter.Welcome> guestbook = (welcome, ctx) ->
                Files.writeString(Path.of(System.getProperty("greeter.guestbook"), welcome.name()), ctx.nodeId());
            return Map.of("guestbook", guestbook);
          }
        }
        """.replace("PKG", pkg);
    return UserJar.build(dir, pkg, Map.of("com/example/" + pkg + "/Greeter.java", greeter,
        "com/example/" + pkg + "/Types.java", types), Map.of(SERVICES, "com.example." + pkg + ".Types\n"));
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    for (int i = 0; i < POLLS_MAX; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never happened: " + what);
  }

  private static NodeCommand parse(String... args) {
    CommandLine.ParseResult parsed = PachydermCli.commandLine().parseArgs(args);
    return (NodeCommand) parsed.subcommand().commandSpec().userObject();
  }
}
