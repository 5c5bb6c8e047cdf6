package dev.pilotlight.runner;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A pool runner's pre-loaded libraries (a "zygote" layer, as in SOCK): the exact jars some deployed
 * functions ship in {@code lib/}, defined and linked in a class loader of their own before any
 * function arrives. A function is only ever given a runner whose layer is byte-for-byte its own
 * {@code lib/} (the platform matches them by SHA-256), so it sees exactly the library versions it
 * ships; its own code is then loaded by a child of this loader.
 *
 * <p>Classes are linked but not initialised: static initialisers run after the function's
 * environment is in place, as they would in a plain launch.
 */
final class LibraryLayer {
  private static volatile LibraryLayer current;

  private final URLClassLoader loader;
  private final Set<String> jarNames;

  private LibraryLayer(URLClassLoader loader, Set<String> jarNames) {
    this.loader = loader;
    this.jarNames = jarNames;
  }

  /** The layer this JVM holds, or null. */
  static LibraryLayer current() {
    return current;
  }

  ClassLoader loader() {
    return loader;
  }

  /** Whether {@code jar} (a function's {@code lib/} jar) is one of the layer's, by file name. */
  boolean covers(File jar) {
    return jarNames.contains(jar.getName());
  }

  /** Loads every class of {@code jarPaths} (separated by the path separator) and makes it current. */
  static LibraryLayer load(String jarPaths) throws IOException {
    List<URL> urls = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<File> jars = new ArrayList<>();
    for (String path : jarPaths.split(File.pathSeparator)) {
      if (path.isBlank()) {
        continue;
      }
      File jar = new File(path);
      urls.add(jar.toURI().toURL());
      names.add(jar.getName());
      jars.add(jar);
    }
    URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    for (File jar : jars) {
      preload(loader, jar);
    }
    LibraryLayer layer = new LibraryLayer(loader, names);
    current = layer;
    return layer;
  }

  private static void preload(ClassLoader loader, File jar) throws IOException {
    try (JarFile file = new JarFile(jar)) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")
            || name.endsWith("package-info.class")) {
          continue;
        }
        String className = name.substring(0, name.length() - 6).replace('/', '.');
        try {
          Class<?> c = Class.forName(className, false, loader);
          // Reflection links (verifies) the class without running its static initialiser.
          c.getDeclaredConstructors();
          if (className.equals(LambdaContexts.CONTEXT) && c.isInterface()) {
            // The proxy class for Context, made where LambdaContexts will ask for it.
            Proxy.newProxyInstance(c.getClassLoader(), new Class<?>[] {c}, (p, m, a) -> null);
          }
        } catch (Throwable skipped) {
          // Optional dependencies missing, multi-release leftovers…: the function loads it (or fails) itself.
        }
      }
    }
  }
}
