package io.pachyderm.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.pachyderm.node.PachydermNode;
import io.pachyderm.node.security.AuthorizationPolicy;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The node's public API packages show no Ratis, protobuf or node-internal type (issue 13, item 6):
 * no public or protected member of a public class in {@code io.pachyderm.node},
 * {@code io.pachyderm.node.security}, {@code .settings}, {@code .status} or {@code io.pachyderm.local} takes, returns, throws or
 * extends one, generics included. Ratis and the wire forms stay behind
 * {@code io.pachyderm.node.internal}; tests and tooling that need the Raft server reach it through
 * {@code io.pachyderm.node.internal.NodeInternals}. Here, in module {@code local}, because this is
 * the one test module that sees all three packages.
 */
class PublicSurfaceTest {
  /** The API packages, each with a class of its module (the node's four, and the local ecosystem's). */
  private static final List<Class<?>> API_PACKAGE_ANCHORS = List.of(PachydermNode.class, AuthorizationPolicy.class,
      io.pachyderm.node.settings.NodeLimits.class, io.pachyderm.node.status.NodeHealth.class, LocalPachyderm.class);
  private static final List<String> FORBIDDEN_PREFIXES = List.of("io.pachyderm.protocol.", "com.google.protobuf.",
      "org.apache.ratis.", "io.pachyderm.node.internal.");

  @Test
  void noPublicSignatureInTheNodesApiPackagesHoldsARatisProtobufOrInternalType() throws Exception {
    List<Class<?>> classes = publicApiClasses();
    assertThat(classes).as("the scan finds the API's classes").contains(PachydermNode.class,
        PachydermNode.Builder.class, AuthorizationPolicy.class, LocalPachyderm.class, LocalPachyderm.Builder.class);

    List<String> offenders = new ArrayList<>();
    for (Class<?> c : classes) {
      offenders.addAll(wireTypesIn(c));
    }

    assertThat(offenders).as("public signatures with Ratis, protobuf or node-internal types; move them behind "
        + "io.pachyderm.node.internal").isEmpty();
  }

  @Test
  void theCheckSeesRatisAndInternalTypesInsideGenericsAndParameters() {
    // The internal state machine is what the check must catch if it came back to the API: it extends
    // a Ratis class and takes internal types in its constructor.
    List<String> found = wireTypesIn(io.pachyderm.node.internal.EntityStateMachine.class);
    assertThat(found).anyMatch(o -> o.startsWith(io.pachyderm.node.internal.EntityStateMachine.class.getName()
            + "#<extends> org.apache.ratis."))
        .anyMatch(o -> o.startsWith(io.pachyderm.node.internal.EntityStateMachine.class.getName() + "#<init> ")
            && o.contains("io.pachyderm.node.internal."));
  }

  /** Public top-level and nested classes of the API packages, from the client's compiled classes. */
  private static List<Class<?>> publicApiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    List<Class<?>> found = new ArrayList<>();
    for (Class<?> anchor : API_PACKAGE_ANCHORS) {
      Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
      String pkg = anchor.getPackageName();
      List<String> files;
      // A module's classes come as a directory in a reactor test run and as its jar once packaged (verify).
      try (java.nio.file.FileSystem jar = Files.isDirectory(root) ? null : java.nio.file.FileSystems.newFileSystem(root);
           Stream<Path> listing = Files.list((jar == null ? root : jar.getPath("/")).resolve(pkg.replace('.', '/')))) {
        files = listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class")).sorted().toList();
      }
      for (String f : files) {
        String simple = f.replace(".class", "");
        if (simple.equals("package-info")) {
          continue;
        }
        Class<?> c = Class.forName(pkg + "." + simple, false, PublicSurfaceTest.class.getClassLoader());
        if (visibleOutside(c)) {
          found.add(c);
        }
      }
    }
    return found;
  }

  /** Public, and (when nested) inside public classes all the way out. */
  private static boolean visibleOutside(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  /** "Class#member type" for each wire type in a public or protected signature of {@code c}. */
  private static List<String> wireTypesIn(Class<?> c) {
    List<String> out = new ArrayList<>();
    String name = c.getName();
    check(out, name + "#<extends>", c.getGenericSuperclass());
    for (Type t : c.getGenericInterfaces()) {
      check(out, name + "#<implements>", t);
    }
    for (TypeVariable<?> v : c.getTypeParameters()) {
      check(out, name + "#<type parameter>", v);
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (exposed(k.getModifiers()) && !k.isSynthetic()) {
        checkAll(out, name + "#<init>", k.getGenericParameterTypes());
        checkAll(out, name + "#<init>", k.getGenericExceptionTypes());
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (exposed(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        String where = name + "#" + m.getName();
        check(out, where, m.getGenericReturnType());
        checkAll(out, where, m.getGenericParameterTypes());
        checkAll(out, where, m.getGenericExceptionTypes());
        checkAll(out, where, m.getTypeParameters());
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (exposed(f.getModifiers()) && !f.isSynthetic()) {
        check(out, name + "#" + f.getName(), f.getGenericType());
      }
    }
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        check(out, name + "#" + rc.getName(), rc.getGenericType());
      }
    }
    return out;
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private static void checkAll(List<String> out, String where, Type[] types) {
    for (Type t : types) {
      check(out, where, t);
    }
  }

  private static void check(List<String> out, String where, Type type) {
    Set<String> wire = new TreeSet<>();
    collectWire(type, wire, new HashSet<>());
    for (String w : wire) {
      out.add(where + " " + w);
    }
  }

  /** Every wire class named anywhere in {@code type}; {@code seen} stops recursive type-variable bounds. */
  private static void collectWire(Type type, Set<String> wire, Set<Type> seen) {
    if (type == null || !seen.add(type)) {
      return;
    }
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      for (String prefix : FORBIDDEN_PREFIXES) {
        if (c.getName().startsWith(prefix)) {
          wire.add(c.getName());
        }
      }
    } else if (type instanceof ParameterizedType p) {
      collectWire(p.getRawType(), wire, seen);
      collectWire(p.getOwnerType(), wire, seen);
      for (Type a : p.getActualTypeArguments()) {
        collectWire(a, wire, seen);
      }
    } else if (type instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        collectWire(b, wire, seen);
      }
      for (Type b : w.getLowerBounds()) {
        collectWire(b, wire, seen);
      }
    } else if (type instanceof GenericArrayType g) {
      collectWire(g.getGenericComponentType(), wire, seen);
    } else if (type instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        collectWire(b, wire, seen);
      }
    }
  }
}
