package io.pachyderm.architecture;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;

/**
 * The exports of our modules, as the code's users see them, whether those users are named modules or
 * not. A {@code module-info.java} is checked by javac only for consumers compiled as named modules;
 * the node, local, the CLI, the chaos tests, the benchmarks and the examples compile and run on the
 * class path, so javac never asks them. This condition asks them: a class may use a package of another
 * of our modules only if that module exports it to everyone or names the user's module in a
 * qualified export.
 *
 * <p>The descriptors are the compiled {@code module-info.class} files themselves. For the two
 * published modules that cannot have one (the node and local: README, "Modules") the equivalent
 * descriptor is written here, and is the one place their friends are listed.
 */
final class ModuleExports {
  /**
   * A module of ours: its name, a class in it, and its descriptor if it has none of its own.
   * {@code exportsEverything}: a module of examples, whose every package is there to be read and used.
   */
  record OurModule(String name, Class<?> anchor, Optional<ModuleDescriptor> declaredHere, boolean exportsEverything) {
    OurModule(String name, Class<?> anchor, Optional<ModuleDescriptor> declaredHere) {
      this(name, anchor, declaredHere, false);
    }
  }

  /**
   * The node (raft-state-machine) has no module-info: its Ratis jars cannot be on a module path
   * (split packages between ratis-server and ratis-server-api, and ratis-metrics-default's file name
   * gives no valid module name). This is what its module-info would say.
   */
  static final ModuleDescriptor NODE = ModuleDescriptor.newModule("io.pachyderm.node")
      .exports("io.pachyderm.node")
      .exports("io.pachyderm.node.security")
      .exports("io.pachyderm.node.settings")
      .exports("io.pachyderm.node.status")
      // NodeInternals.raftServer: the chaos nodes and the benchmarks read Raft's term and log sizes.
      .exports(Set.of(), "io.pachyderm.node.internal", Set.of("io.pachyderm.chaos", "io.pachyderm.bench", "io.pachyderm.local"))
      .build();

  /** Local requires the node, which is not a named module, so it has no module-info either. */
  static final ModuleDescriptor LOCAL = ModuleDescriptor.newModule("io.pachyderm.local")
      .exports("io.pachyderm.local")
      .build();

  /** Every module with main classes under {@code io.pachyderm}, named as in its module-info or as it would be. */
  static final List<OurModule> MODULES = List.of(
      new OurModule("io.pachyderm.entity", io.pachyderm.entity.EntityTypes.class, Optional.empty()),
      new OurModule("io.pachyderm.protocol", io.pachyderm.protocol.Protos.class, Optional.empty()),
      new OurModule("io.pachyderm.cluster", io.pachyderm.cluster.Peer.class, Optional.empty()),
      new OurModule("io.pachyderm.replica", io.pachyderm.replica.Replica.class, Optional.empty()),
      new OurModule("io.pachyderm.simulation", io.pachyderm.simulation.Simulation.class, Optional.empty()),
      new OurModule("io.pachyderm.statestore", io.pachyderm.statestore.RocksStateStore.class, Optional.empty()),
      new OurModule("io.pachyderm.storage", io.pachyderm.storage.journal.EventJournal.class, Optional.empty()),
      new OurModule("io.pachyderm.client", io.pachyderm.client.PachydermClient.class, Optional.empty()),
      new OurModule("io.pachyderm.node", io.pachyderm.node.PachydermNode.class, Optional.of(NODE)),
      new OurModule("io.pachyderm.local", io.pachyderm.local.LocalPachyderm.class, Optional.of(LOCAL)),
      // Applications, not libraries: nothing uses them, so they export nothing; the examples export all.
      new OurModule("io.pachyderm.cli", io.pachyderm.cli.PachydermCli.class, Optional.empty()),
      new OurModule("io.pachyderm.chaos", io.pachyderm.chaos.run.ChaosRunner.class, Optional.empty()),
      new OurModule("io.pachyderm.bench", io.pachyderm.bench.LoadBenchmark.class, Optional.empty()),
      new OurModule("io.pachyderm.bench.jmh", io.pachyderm.bench.jmh.CodecBenchmark.class, Optional.empty()),
      new OurModule("io.pachyderm.examples", io.pachyderm.examples.ExampleTypes.class, Optional.empty(), true),
      new OurModule("io.pachyderm.testing", io.pachyderm.testing.SimulationExtension.class, Optional.empty()));

  private ModuleExports() {}

  /** The module-info.class at the root of {@code anchor}'s jar or classes directory, if there is one. */
  static Optional<ModuleDescriptor> compiledDescriptor(Class<?> anchor) {
    Path location = location(anchor);
    try {
      if (Files.isDirectory(location)) {
        Path file = location.resolve("module-info.class");
        if (!Files.exists(file)) {
          return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file)) {
          return Optional.of(ModuleDescriptor.read(in));
        }
      }
      try (JarFile jar = new JarFile(location.toFile())) {
        var entry = jar.getEntry("module-info.class");
        if (entry == null) {
          return Optional.empty();
        }
        try (InputStream in = jar.getInputStream(entry)) {
          return Optional.of(ModuleDescriptor.read(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the module descriptor next to " + anchor.getName(), e);
    }
  }

  /**
   * Each module's descriptor by name: the compiled one, else the one declared here, else one that
   * exports nothing (or, for the examples, every package).
   */
  static Map<String, ModuleDescriptor> descriptors(Map<String, String> moduleOfPackage) {
    Map<String, ModuleDescriptor> byName = new LinkedHashMap<>();
    for (OurModule m : MODULES) {
      ModuleDescriptor d = compiledDescriptor(m.anchor())
          .or(m::declaredHere)
          .orElseGet(() -> exportingAll(m, moduleOfPackage));
      if (!d.name().equals(m.name())) {
        throw new IllegalStateException("the module of " + m.anchor().getName() + " is named " + d.name()
            + ", not " + m.name() + " as ModuleExports.MODULES says");
      }
      byName.put(m.name(), d);
    }
    return byName;
  }

  private static ModuleDescriptor exportingAll(OurModule m, Map<String, String> moduleOfPackage) {
    ModuleDescriptor.Builder b = ModuleDescriptor.newModule(m.name());
    if (m.exportsEverything()) {
      moduleOfPackage.forEach((pkg, owner) -> {
        if (owner.equals(m.name())) {
          b.exports(pkg);
        }
      });
    }
    return b.build();
  }

  /** Which of our modules holds each package, from the main classes at each module's location. */
  static Map<String, String> moduleOfPackage() {
    Map<String, String> owner = new TreeMap<>();
    for (OurModule m : MODULES) {
      JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importUrl(m.anchor().getProtectionDomain().getCodeSource().getLocation());
      for (JavaClass c : classes) {
        String before = owner.putIfAbsent(c.getPackageName(), m.name());
        if (before != null && !before.equals(m.name())) {
          throw new IllegalStateException("package " + c.getPackageName() + " is split between " + before
              + " and " + m.name());
        }
      }
    }
    return owner;
  }

  /**
   * Uses another module's package only where that module exports it, to all or to the user's module.
   * A class in no module of ours (a planted fixture, a user's class) is held to the unqualified
   * exports.
   */
  static ArchCondition<JavaClass> useOnlyWhatModulesExportToThem() {
    Map<String, String> owners = moduleOfPackage();
    Map<String, ModuleDescriptor> descriptors = descriptors(owners);
    return new ArchCondition<>("use only packages that their module exports to them") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        String from = owners.getOrDefault(origin.getPackageName(), "");
        for (Dependency d : origin.getDirectDependenciesFromSelf()) {
          String pkg = d.getTargetClass().getBaseComponentType().getPackageName();
          String to = owners.get(pkg);
          if (to == null || to.equals(from) || exports(descriptors.get(to), pkg, from)) {
            continue;
          }
          String who = from.isEmpty() ? "a class in no module of ours" : "module " + from;
          events.add(SimpleConditionEvent.violated(d, d.getDescription() + ": " + to + " does not export " + pkg
              + " to " + who));
        }
      }
    };
  }

  private static boolean exports(ModuleDescriptor module, String pkg, String to) {
    for (ModuleDescriptor.Exports e : module.exports()) {
      if (e.source().equals(pkg) && (!e.isQualified() || e.targets().contains(to))) {
        return true;
      }
    }
    return false;
  }

  private static Path location(Class<?> anchor) {
    try {
      return Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("no file location for " + anchor.getName(), e);
    }
  }
}
