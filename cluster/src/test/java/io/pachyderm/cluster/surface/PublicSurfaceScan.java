package io.pachyderm.cluster.surface;

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
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The one scanner behind every module's {@code PublicSurfaceTest} (issue 13, item 6): it lists the
 * public classes of API packages from their compiled classes, and names every forbidden type (a
 * package prefix such as {@code "org.apache.ratis."}) that a public or protected member of them
 * takes, returns, throws, extends or exposes as a field or record component, generics included.
 * Each module's test passes its own packages (as anchor classes) and prefixes. Shipped in the
 * cluster module's test-jar because the client, node and local modules all see the cluster module.
 * Immutable; thread-safe.
 */
public final class PublicSurfaceScan {
  private final List<String> forbiddenPrefixes;

  private PublicSurfaceScan(List<String> forbiddenPrefixes) {
    this.forbiddenPrefixes = forbiddenPrefixes;
  }

  /** A scan that reports types whose names start with one of {@code prefixes} (e.g. {@code "com.google.protobuf."}). */
  public static PublicSurfaceScan forbidding(String... prefixes) {
    if (prefixes.length == 0) {
      throw new IllegalArgumentException("a surface scan needs at least one forbidden package prefix");
    }
    for (String p : prefixes) {
      if (p == null || !p.endsWith(".")) {
        throw new IllegalArgumentException("a forbidden prefix is a package name ending in '.', not " + p);
      }
    }
    return new PublicSurfaceScan(List.of(prefixes));
  }

  /**
   * Public top-level and nested classes of each anchor's package, read from the anchor's compiled
   * classes (a directory in a reactor test run, its jar once packaged). Sub-packages are not included:
   * anchor each API package.
   */
  public static List<Class<?>> publicClasses(List<Class<?>> anchors) {
    List<Class<?>> found = new ArrayList<>();
    for (Class<?> anchor : anchors) {
      try {
        for (String simple : classFileNames(anchor)) {
          Class<?> c = Class.forName(anchor.getPackageName() + "." + simple, false, anchor.getClassLoader());
          if (visibleOutside(c)) {
            found.add(c);
          }
        }
      } catch (IOException | URISyntaxException | ClassNotFoundException e) {
        throw new IllegalStateException("cannot list the classes of package " + anchor.getPackageName(), e);
      }
    }
    return found;
  }

  /** "Class#member type" for each forbidden type in a public signature of any of {@code classes}. */
  public List<String> offenders(List<Class<?>> classes) {
    List<String> out = new ArrayList<>();
    for (Class<?> c : classes) {
      out.addAll(offenders(c));
    }
    return out;
  }

  /** "Class#member type" for each forbidden type in a public or protected signature of {@code c}. */
  public List<String> offenders(Class<?> c) {
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

  private static List<String> classFileNames(Class<?> anchor) throws IOException, URISyntaxException {
    Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    String dir = anchor.getPackageName().replace('.', '/');
    try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root);
         Stream<Path> listing = Files.list((jar == null ? root : jar.getPath("/")).resolve(dir))) {
      return listing.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()))
          .sorted().toList();
    }
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

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  private void checkAll(List<String> out, String where, Type[] types) {
    for (Type t : types) {
      check(out, where, t);
    }
  }

  private void check(List<String> out, String where, Type type) {
    Set<String> forbidden = new TreeSet<>();
    collect(type, forbidden, new HashSet<>());
    for (String f : forbidden) {
      out.add(where + " " + f);
    }
  }

  /** Every forbidden class named anywhere in {@code type}; {@code seen} stops recursive type-variable bounds. */
  private void collect(Type type, Set<String> forbidden, Set<Type> seen) {
    if (type == null || !seen.add(type)) {
      return;
    }
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      for (String prefix : forbiddenPrefixes) {
        if (c.getName().startsWith(prefix)) {
          forbidden.add(c.getName());
        }
      }
    } else if (type instanceof ParameterizedType p) {
      collect(p.getRawType(), forbidden, seen);
      collect(p.getOwnerType(), forbidden, seen);
      for (Type a : p.getActualTypeArguments()) {
        collect(a, forbidden, seen);
      }
    } else if (type instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        collect(b, forbidden, seen);
      }
      for (Type b : w.getLowerBounds()) {
        collect(b, forbidden, seen);
      }
    } else if (type instanceof GenericArrayType g) {
      collect(g.getGenericComponentType(), forbidden, seen);
    } else if (type instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        collect(b, forbidden, seen);
      }
    }
  }
}
