package io.pachyderm.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.pachyderm.cli.PachydermCli;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.node.PachydermNode;
import java.net.URL;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The import graph drawn from the main code of every module (issue 13, "arrows one way"): the node
 * does not use the client, the launcher does not use the examples (it finds them as an
 * {@code EntityTypesProvider} on its class path), entity-runtime uses nothing else of ours, and no
 * package of {@code io.pachyderm} is in a cycle with another, at every depth: a public package and its
 * {@code internal} package count as two, so the public side may use its internals but never the
 * reverse. Test code is left out: tests may reach across (the node's tests use the client).
 *
 * <p>Each rule is also run against a planted violation (classes of this module's tests), so a rule
 * that a typo made vacuous fails here rather than passing forever. ArchUnit also fails a rule whose
 * subject matches no class at all.
 */
class ImportGraphTest {
  /** Every main class of every module on this module's test class path. */
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.pachyderm");

  static ArchRule nodeDoesNotUseTheClient() {
    return noClasses().that().resideInAPackage("io.pachyderm.node..")
        .should().dependOnClassesThat().resideInAPackage("io.pachyderm.client..")
        .because("the node and the client share only the cluster module (Peer, Transport, TLS files), "
            + "so a node never carries client code and the client can change without the node");
  }

  static ArchRule launcherDoesNotUseTheExamples() {
    return noClasses().that().resideInAPackage("io.pachyderm.cli..")
        .should().dependOnClassesThat().resideInAPackage("io.pachyderm.examples..")
        .because("bin/pachyderm serves any entity types (node --types); the examples reach it as an "
            + "EntityTypesProvider on its class path");
  }

  static ArchRule entityRuntimeUsesNothingElseOfOurs() {
    String[] own = entityRuntimePackages();
    return noClasses().that().resideInAnyPackage(own)
        .should().dependOnClassesThat(resideInAPackage("io.pachyderm..").and(not(resideInAnyPackage(own))))
        .because("entity-runtime is what users compile their entities against; it knows no node, log or client");
  }

  /** One slice per package, whatever its depth ({@code io.pachyderm.node} and {@code io.pachyderm.node.internal} are two). */
  static ArchRule noPackageCycles() {
    return slices().matching("io.pachyderm.(**)").namingSlices("package io.pachyderm.$1").should().beFreeOfCycles()
        .because("a package and the packages it uses form a layer that can be read, tested and moved on its own; "
            + "an internal package receives what it needs from its public package through parameters, never an import");
  }

  /** The rule before issue 13 asked for every package: top-level packages only, blind to a package and its internals. */
  static ArchRule noTopLevelPackageCycles() {
    return slices().matching("io.pachyderm.(*)..").should().beFreeOfCycles();
  }

  static ArchRule modulesUseOnlyWhatIsExportedToThem() {
    return classes().that().resideInAPackage("io.pachyderm..").should(ModuleExports.useOnlyWhatModulesExportToThem())
        .because("module-info.java is what a module shows; javac enforces it only on named modules, and the node, "
            + "local and the tools compile and run on the class path");
  }

  @Test
  void theNodeDependsOnNoClientClass() {
    nodeDoesNotUseTheClient().check(MAIN);
    // The whole node module, whatever its packages: today io.pachyderm.node.. only.
    noClasses().should().dependOnClassesThat().resideInAPackage("io.pachyderm.client..")
        .check(importModuleOf(PachydermNode.class));
  }

  @Test
  void theLauncherDependsOnNoExample() {
    launcherDoesNotUseTheExamples().check(MAIN);
    noClasses().should().dependOnClassesThat().resideInAPackage("io.pachyderm.examples..")
        .check(importModuleOf(PachydermCli.class));
  }

  @Test
  void entityRuntimeDependsOnNothingElseOfOurs() {
    entityRuntimeUsesNothingElseOfOurs().check(MAIN);
  }

  @Test
  void noPackageCycleAtAnyDepthAmongMainClasses() {
    noPackageCycles().check(MAIN);
  }

  @Test
  void everyModuleUsesOnlyWhatTheOthersExportToIt() {
    modulesUseOnlyWhatIsExportedToThem().check(MAIN);
  }

  @Test
  void thePublishedModulesThatCanHaveADescriptorHaveOne() {
    // The node and local cannot (README, "Modules"); ModuleExports writes theirs. If one gets a
    // module-info.java, its stand-in in ModuleExports goes.
    for (var m : ModuleExports.MODULES) {
      boolean compiled = ModuleExports.compiledDescriptor(m.anchor()).isPresent();
      boolean published = java.util.Set.of("io.pachyderm.entity", "io.pachyderm.protocol", "io.pachyderm.cluster",
          "io.pachyderm.replica", "io.pachyderm.simulation", "io.pachyderm.statestore", "io.pachyderm.storage", "io.pachyderm.client")
          .contains(m.name());
      assertThat(compiled).as("module-info.class of " + m.name()).isEqualTo(published);
      assertThat(compiled && m.declaredHere().isPresent()).as("two descriptors for " + m.name()).isFalse();
    }
  }

  @Test
  void theExportsRuleCatchesAPlantedUserOfInternalPackages() {
    JavaClasses planted = new ClassFileImporter().importClasses(io.pachyderm.plantedd.ToolUsingInternals.class);
    assertThat(modulesUseOnlyWhatIsExportedToThem().evaluate(planted).getFailureReport().getDetails()).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("io.pachyderm.client does not export io.pachyderm.client.internal"))
        .anySatisfy(v -> assertThat(v).contains("io.pachyderm.node does not export io.pachyderm.node.internal"))
        .noneSatisfy(v -> assertThat(v).contains("PachydermClient"));
  }

  @Test
  void everyRuleCatchesAPlantedViolation() {
    JavaClasses planted = new ClassFileImporter().importClasses(
        io.pachyderm.node.planted.NodeUsingClient.class,
        io.pachyderm.cli.planted.LauncherUsingExamples.class,
        io.pachyderm.entity.planted.EntityUsingNode.class,
        io.pachyderm.planteda.Ping.class,
        io.pachyderm.plantedb.Pong.class,
        io.pachyderm.plantedc.Facade.class,
        io.pachyderm.plantedc.internal.FacadeInternals.class);
    assertThat(nodeDoesNotUseTheClient().evaluate(planted).getFailureReport().getDetails())
        .singleElement().asString().contains("NodeUsingClient").contains("io.pachyderm.client.PachydermClient");
    assertThat(launcherDoesNotUseTheExamples().evaluate(planted).getFailureReport().getDetails())
        .singleElement().asString().contains("LauncherUsingExamples").contains("io.pachyderm.examples.ExampleTypes");
    assertThat(entityRuntimeUsesNothingElseOfOurs().evaluate(planted).getFailureReport().getDetails())
        .singleElement().asString().contains("EntityUsingNode").contains("io.pachyderm.node.PachydermNode");
    assertThat(noPackageCycles().evaluate(planted).getFailureReport().getDetails()).hasSize(2)
        .anySatisfy(cycle -> assertThat(cycle).contains("io.pachyderm.planteda").contains("io.pachyderm.plantedb"))
        .anySatisfy(cycle -> assertThat(cycle).contains("io.pachyderm.plantedc.Facade")
            .contains("io.pachyderm.plantedc.internal.FacadeInternals"));
  }

  @Test
  void aCycleBetweenAPackageAndItsInternalsIsCaughtOnlyByThePackageLevelRule() {
    // Why the rule slices every package: the top-level rule sees plantedc and plantedc.internal as one.
    JavaClasses publicAndInternal = new ClassFileImporter().importClasses(
        io.pachyderm.plantedc.Facade.class, io.pachyderm.plantedc.internal.FacadeInternals.class);
    assertThat(noTopLevelPackageCycles().evaluate(publicAndInternal).hasViolation()).isFalse();
    assertThat(noPackageCycles().evaluate(publicAndInternal).getFailureReport().getDetails())
        .singleElement().asString().contains("Facade").contains("FacadeInternals");
  }

  @Test
  void entityRuntimeIsTheApiEntityCodecAndRuntimePackages() {
    // Pins what "entity-runtime" means above: a package added there is named here on purpose. The
    // simulation left it for a module of its own, since it runs the replica core (issue 13).
    assertThat(entityRuntimePackages()).containsExactly("io.pachyderm.api..", "io.pachyderm.codec..",
        "io.pachyderm.entity..", "io.pachyderm.runtime..");
  }

  /** The top-level packages of entity-runtime's main classes, as ArchUnit patterns ({@code io.pachyderm.x..}). */
  private static String[] entityRuntimePackages() {
    TreeSet<String> packages = new TreeSet<>();
    for (JavaClass c : importModuleOf(EntityTypes.class)) {
      String[] parts = c.getPackageName().split("\\.");
      packages.add(parts[0] + "." + parts[1] + "." + parts[2] + "..");
    }
    return packages.toArray(String[]::new);
  }

  /** The main classes of the module (jar or classes directory) that holds {@code anchor}. */
  private static JavaClasses importModuleOf(Class<?> anchor) {
    URL location = anchor.getProtectionDomain().getCodeSource().getLocation();
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importUrl(location);
  }
}
