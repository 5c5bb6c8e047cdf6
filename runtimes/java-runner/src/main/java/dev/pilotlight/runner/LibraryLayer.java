package dev.pilotlight.runner;

import java.io.File;
import java.io.IOException;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Classes are linked, and those the platform lists (the library classes that a function using
 * this layer initialised during its init in the deploy's training run, in that order) are also
 * initialised, with the layer's loader as the thread's context loader: their static initialisers
 * then run before the function's environment is in place (a library that reads environment
 * variables in a static initialiser sees the pool's, which holds no function settings). If any of
 * them fails, the whole layer is made again without initialising anything, so a function never
 * gets a class whose initialisation failed here but might succeed in its own environment.
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

  /** Drops the current layer (for tests that load one in a shared JVM). */
  static void forget() {
    current = null;
  }

  ClassLoader loader() {
    return loader;
  }

  /** Whether {@code jar} (a function's {@code lib/} jar) is one of the layer's, by file name. */
  boolean covers(File jar) {
    return jarNames.contains(jar.getName());
  }

  /**
   * Loads every class of {@code jarPaths} (separated by the path separator), initialises those
   * named in {@code initialise} (in order; may be empty), and makes the layer current.
   *
   * @return how many classes were initialised (0 when none were listed or one of them failed)
   */
  static int load(String jarPaths, List<String> initialise) throws IOException {
    LibraryLayer layer = build(jarPaths);
    int initialised = 0;
    if (!initialise.isEmpty()) {
      initialised = layer.initialise(initialise);
      if (initialised < 0) {
        layer.close();
        layer = build(jarPaths);
        initialised = 0;
      }
    }
    current = layer;
    return initialised;
  }

  /** Reads a list of class names, one a line (blank lines and {@code #} comments skipped); missing file: empty. */
  static List<String> readList(String path) throws IOException {
    if (path == null || path.isBlank()) {
      return List.of();
    }
    Path p = Path.of(path);
    if (!Files.isRegularFile(p)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(p)) {
      String name = line.strip();
      if (!name.isEmpty() && !name.startsWith("#")) {
        names.add(name);
      }
    }
    return names;
  }

  /** Runs the static initialisers of {@code names}; -1 as soon as one fails (the layer is then unusable). */
  private int initialise(List<String> names) {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    int n = 0;
    try {
      for (String name : names) {
        Class<?> c;
        try {
          c = Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError notHere) {
          continue; // listed by a function whose layer differs in a detail; nothing to initialise
        }
        if (c.getClassLoader() != loader) {
          continue; // only the layer's own classes
        }
        try {
          Class.forName(name, true, loader);
          n++;
        } catch (Throwable failed) {
          return -1;
        }
      }
      return n;
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  private void close() {
    try {
      loader.close();
    } catch (IOException ignored) {
      // the loader is dropped either way
    }
  }

  private static LibraryLayer build(String jarPaths) throws IOException {
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
    return new LibraryLayer(loader, names);
  }

  private static boolean runtimeVisible(Class<?> annotationType) {
    Retention r = annotationType.getAnnotation(Retention.class);
    return r != null && r.value() == RetentionPolicy.RUNTIME;
  }

  /** Defines and links every class of {@code jar} in {@code loader}, initialising none (also used for a function's own jars, see PreloadedCode). */
  @SuppressWarnings("ReturnValueIgnored") // reflection calls made for their side effect: linking
  static void preload(ClassLoader loader, File jar) throws IOException {
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
          } else if (c.isAnnotation() && runtimeVisible(c)) {
            // Reading an annotation makes a proxy class for its type (milliseconds each, the first
            // time); the JDK caches it by loader and type, so the function's reads find this one.
            Proxy.newProxyInstance(c.getClassLoader(), new Class<?>[] {c}, (p, m, a) -> null);
          }
        } catch (Throwable skipped) {
          // Optional dependencies missing, multi-release leftovers…: the function loads it (or fails) itself.
        }
      }
    }
  }
}
