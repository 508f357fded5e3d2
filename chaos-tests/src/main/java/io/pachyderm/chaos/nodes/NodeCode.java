package io.pachyderm.chaos.nodes;

import io.pachyderm.chaos.workload.ChaosTypes;
import io.pachyderm.entity.EntityTypes;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What code the node processes run: their classpath, and the class that gives the entity types
 * they serve. Nodes are separate JVMs (one per network namespace), so a user's entity classes
 * reach them by classpath and class name, not by object: {@code entityTypes} must be a public
 * class with a public no-argument constructor, implementing {@code Supplier<EntityTypes>}, found
 * on {@code classpath}. The harness instantiates the same class for its clients, so both sides
 * agree on type names and codecs.
 *
 * <p>The default is this JVM's classpath ({@code java.class.path}): in a Maven test that holds
 * {@code target/test-classes}, so entity types defined in a test are served by the nodes without
 * further setup. Immutable.
 *
 * @param entityTypes the provider class; its types are all the nodes serve
 * @param classpath the node JVMs' {@code -cp}
 */
public record NodeCode(Class<? extends Supplier<EntityTypes>> entityTypes, String classpath) {
  /** The chaos workloads' entity types on this JVM's classpath. */
  public static final NodeCode DEFAULT = of(ChaosTypes.Provider.class);

  public NodeCode {
    Objects.requireNonNull(entityTypes, "entityTypes");
    Objects.requireNonNull(classpath, "classpath");
    if (classpath.isBlank()) {
      throw new IllegalArgumentException("the node classpath is empty");
    }
  }

  /** {@code entityTypes} on this JVM's classpath. */
  public static NodeCode of(Class<? extends Supplier<EntityTypes>> entityTypes) {
    return new NodeCode(entityTypes, System.getProperty("java.class.path"));
  }

  /** The entity types, from a new instance of the provider. */
  public EntityTypes load() {
    return load(entityTypes.getName(), NodeCode.class.getClassLoader());
  }

  /**
   * Instantiates provider {@code className} and returns its types; what a node does with
   * {@code --entity-types}.
   *
   * @throws IllegalArgumentException saying what is wrong with the class
   */
  public static EntityTypes load(String className, ClassLoader loader) {
    Class<?> c;
    try {
      c = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("entity types provider " + className + " is not on the classpath", e);
    }
    if (!Supplier.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException("entity types provider " + className + " does not implement Supplier<EntityTypes>");
    }
    Object types;
    try {
      types = ((Supplier<?>) c.getConstructor().newInstance()).get();
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalArgumentException("entity types provider " + className
          + " needs to be a public class with a public no-argument constructor", e);
    } catch (InstantiationException | InvocationTargetException e) {
      throw new IllegalArgumentException("entity types provider " + className + " failed: " + e.getCause(), e);
    }
    if (!(types instanceof EntityTypes et)) {
      throw new IllegalArgumentException("entity types provider " + className + " returned " + types
          + ", not EntityTypes");
    }
    return et;
  }
}
