package io.pachyderm.cli;

import io.pachyderm.entity.EffectHandler;
import io.pachyderm.entity.EntityType;
import io.pachyderm.entity.EntityTypes;
import io.pachyderm.entity.EntityTypesProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The entity types and effect handlers a node serves, gathered from every {@link EntityTypesProvider}
 * found: on the launcher's own class path (the examples jar ships one), or in the jars and
 * directories of {@code --types}. Immutable.
 *
 * @param types every provider's types; names are unique across providers
 * @param effectHandlers every provider's handlers by name, in provider order
 * @param providers the providers' class names and where they came from, for the node's log line
 */
record ProvidedTypes(EntityTypes types, Map<String, EffectHandler<?>> effectHandlers, List<String> providers) {
  /** A provider missing, failing or clashing with another: the node cannot start with these types. */
  static final class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProviderException(String message) {
      super(message);
    }
  }

  ProvidedTypes {
    effectHandlers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(effectHandlers));
    providers = List.copyOf(providers);
  }

  /** The providers on the class path of this class's loader: the launcher's (the examples). */
  static ProvidedTypes fromClassPath() {
    ClassLoader loader = ProvidedTypes.class.getClassLoader();
    List<EntityTypesProvider> found = instantiate(ServiceLoader.load(EntityTypesProvider.class, loader), null);
    if (found.isEmpty()) {
      throw new ProviderException("no entity types: no " + EntityTypesProvider.class.getName() + " on the launcher's "
          + "class path (the examples jar is missing); give --types JAR");
    }
    return merge(found);
  }

  /**
   * The providers in {@code entries} (jars or class directories, as on a class path), loaded with a
   * class loader over them whose parent is the launcher's, so the user's classes see this project's
   * API. Providers of the launcher's own class path are left out: {@code --types} replaces them.
   * The loader stays open for the node's life, since the node calls the user's classes until it stops.
   */
  static ProvidedTypes fromJars(List<Path> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no --types entries");
    }
    URL[] urls = new URL[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      Path entry = entries.get(i);
      if (!Files.exists(entry)) {
        throw new ProviderException("--types " + entry + ": no such file or directory");
      }
      urls[i] = toUrl(entry);
    }
    @SuppressWarnings("resource") // open for the node's life, see above
    URLClassLoader loader = new URLClassLoader("pachyderm-types", urls, ProvidedTypes.class.getClassLoader());
    List<EntityTypesProvider> found = instantiate(ServiceLoader.load(EntityTypesProvider.class, loader), loader);
    if (found.isEmpty()) {
      throw new ProviderException("--types " + entries + ": none of these holds a provider (a class implementing "
          + EntityTypesProvider.class.getName() + ", listed in META-INF/services/"
          + EntityTypesProvider.class.getName() + "); see README, Serving your own entity types");
    }
    return merge(found);
  }

  /** The first demo a provider on the launcher's class path offers. */
  static Optional<EntityTypesProvider.Demo> demoFromClassPath() {
    ClassLoader loader = ProvidedTypes.class.getClassLoader();
    for (EntityTypesProvider p : instantiate(ServiceLoader.load(EntityTypesProvider.class, loader), null)) {
      Optional<EntityTypesProvider.Demo> demo = call(p, "demo()", p::demo);
      if (demo.isPresent()) {
        return demo;
      }
    }
    return Optional.empty();
  }

  /** Each provider, in class-path order; {@code onlyFrom} non-null keeps those that loader defined. */
  private static List<EntityTypesProvider> instantiate(ServiceLoader<EntityTypesProvider> loader,
      ClassLoader onlyFrom) {
    List<EntityTypesProvider> providers = new ArrayList<>();
    var it = loader.iterator();
    while (true) {
      EntityTypesProvider p;
      try {
        if (!it.hasNext()) {
          return providers;
        }
        p = it.next();
      } catch (ServiceConfigurationError e) {
        // A listed class that is missing, not a provider, or whose constructor threw.
        throw new ProviderException("entity types provider failed to load: " + messageOf(e));
      }
      if (onlyFrom == null || p.getClass().getClassLoader() == onlyFrom) {
        providers.add(p);
      }
    }
  }

  private static ProvidedTypes merge(List<EntityTypesProvider> providers) {
    Map<String, EntityType<?, ?, ?>> types = new LinkedHashMap<>();
    Map<String, String> typeOwner = new LinkedHashMap<>();
    Map<String, EffectHandler<?>> handlers = new LinkedHashMap<>();
    Map<String, String> handlerOwner = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (EntityTypesProvider p : providers) {
      String name = describe(p);
      names.add(name);
      EntityTypes provided = call(p, "entityTypes()", p::entityTypes);
      if (provided == null) {
        throw new ProviderException("entity types provider " + name + ": entityTypes() returned null");
      }
      for (String typeName : provided.names()) {
        String before = typeOwner.putIfAbsent(typeName, name);
        if (before != null) {
          throw new ProviderException("entity type '" + typeName + "' is registered by two providers: " + before
              + " and " + name);
        }
        types.put(typeName, provided.find(typeName));
      }
      Map<String, EffectHandler<?>> providedHandlers = call(p, "effectHandlers()", p::effectHandlers);
      if (providedHandlers == null) {
        throw new ProviderException("entity types provider " + name + ": effectHandlers() returned null");
      }
      // Sorted: a provider's Map.of has no stable order, and the node's registration should not vary by run.
      for (String handlerName : providedHandlers.keySet().stream().sorted().toList()) {
        String before = handlerOwner.putIfAbsent(handlerName, name);
        if (before != null) {
          throw new ProviderException("effect handler '" + handlerName + "' is registered by two providers: "
              + before + " and " + name);
        }
        handlers.put(handlerName, providedHandlers.get(handlerName));
      }
    }
    return new ProvidedTypes(EntityTypes.of(types.values()), handlers, names);
  }

  private interface ProviderCall<T> {
    T get();
  }

  /** Runs one method of a user's provider; whatever it throws becomes one line naming the provider. */
  private static <T> T call(EntityTypesProvider p, String method, ProviderCall<T> call) {
    try {
      return call.get();
    } catch (RuntimeException | LinkageError e) {
      throw new ProviderException("entity types provider " + describe(p) + " failed in " + method + ": "
          + messageOf(e));
    }
  }

  /** The provider's class and the jar or directory it came from. */
  private static String describe(EntityTypesProvider p) {
    CodeSource source = p.getClass().getProtectionDomain().getCodeSource();
    String where = source == null || source.getLocation() == null ? "" : " (" + source.getLocation().getPath() + ")";
    return p.getClass().getName() + where;
  }

  private static String messageOf(Throwable e) {
    StringBuilder line = new StringBuilder(e.toString());
    // Bounded: a cause chain may loop back on itself.
    Throwable cause = e.getCause();
    for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
      line.append("; caused by ").append(cause);
    }
    return line.toString();
  }

  private static URL toUrl(Path entry) {
    try {
      return entry.toAbsolutePath().toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(new IOException("--types " + entry + ": not a file path", e));
    }
  }
}
