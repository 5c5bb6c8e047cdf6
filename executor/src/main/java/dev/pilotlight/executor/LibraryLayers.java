package dev.pilotlight.executor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Identifies a Java function's library layer: the jars in its package's {@code lib/}, by file name
 * and SHA-256. Two functions share a layer only if they ship byte-for-byte the same library jars,
 * so a pool runner pre-loaded with a layer never gives a function a library version it does not ship.
 *
 * <p>Each layer also has an initialisation list ({@code layer-<id>.init} in this object's
 * directory): the layer's classes that the functions using it initialised during their init in
 * their training runs, in order; pool runners initialise exactly those before a function arrives
 * (see the runner's LibraryLayer). No list yet means link only.
 */
final class LibraryLayers {
  /**
   * A layer: its id (a hash over names and contents), the jar files to pre-load, and where its
   * initialisation list is kept (null for NONE). A package without {@code lib/*.jar} (an uber jar,
   * say) has the empty layer: no jars, so nothing to share or learn, but its runners are started for
   * its function and load its code ahead like any layered runner's (PoolRunners.Preload).
   * {@link #NONE}: the function does not take layered runners at all.
   */
  record Layer(String id, List<Path> jars, Path initList) {
    static final Layer NONE = new Layer("", List.of(), null);

    boolean isNone() {
      return id.isEmpty();
    }

    /** Whether the layer has library jars (to pre-load, and to learn an initialisation list for). */
    boolean hasJars() {
      return !jars.isEmpty();
    }
  }

  /** Finds a class named in a {@code -Xlog:class+init} line. */
  private static final Pattern INITIALIZING = Pattern.compile("Initializing '([^']+)'");

  private final Path dir;
  // Code directories are content-addressed and never rewritten, so their layer never changes.
  private final Map<Path, Layer> byCodeDir = new ConcurrentHashMap<>();

  /** @param dir where initialisation lists are kept */
  LibraryLayers(Path dir) {
    this.dir = dir;
  }

  Layer of(Path codeDir) {
    return byCodeDir.computeIfAbsent(codeDir, c -> compute(c, dir));
  }

  /**
   * Adds to {@code layer}'s initialisation list the layer classes that training JVMs logged as
   * initialised ({@code -Xlog:class+init=info} output in {@code logs}), keeping the order and what
   * other functions listed before.
   *
   * @return whether the list changed (pool runners of the layer are then worth renewing)
   */
  boolean recordInitialised(Layer layer, List<Path> logs) throws IOException {
    if (!layer.hasJars()) {
      return false;
    }
    Set<String> ours = classNames(layer.jars());
    LinkedHashSet<String> list = new LinkedHashSet<>();
    if (Files.isRegularFile(layer.initList())) {
      for (String line : Files.readAllLines(layer.initList(), StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          list.add(line.strip());
        }
      }
    }
    int before = list.size();
    for (Path log : logs) {
      try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
        lines.forEach(line -> {
          Matcher m = INITIALIZING.matcher(line);
          if (m.find()) {
            String name = m.group(1).replace('/', '.');
            if (ours.contains(name)) {
              list.add(name);
            }
          }
        });
      }
    }
    if (list.size() == before) {
      return false;
    }
    Files.createDirectories(layer.initList().getParent());
    Path tmp = layer.initList().resolveSibling(layer.initList().getFileName() + ".tmp");
    Files.write(tmp, list, StandardCharsets.UTF_8);
    Files.move(tmp, layer.initList(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return true;
  }

  /** The binary names of the classes in {@code jars}. */
  static Set<String> classNames(List<Path> jars) throws IOException {
    Set<String> names = new HashSet<>();
    for (Path jar : jars) {
      try (JarFile file = new JarFile(jar.toFile())) {
        file.stream().map(JarEntry::getName)
            .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/"))
            .forEach(n -> names.add(n.substring(0, n.length() - 6).replace('/', '.')));
      }
    }
    return names;
  }

  static Layer compute(Path codeDir, Path dir) {
    Path lib = codeDir.resolve("lib");
    List<Path> jars = new ArrayList<>();
    if (!Files.isDirectory(lib)) {
      return layer(jars, dir);
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(lib, "*.jar")) {
      for (Path p : s) {
        if (Files.isRegularFile(p)) {
          jars.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return layer(jars, dir);
  }

  /** The layer of exactly {@code jars} (none: the empty layer). */
  private static Layer layer(List<Path> jars, Path dir) {
    jars.sort(null);
    MessageDigest layer = sha256();
    for (Path jar : jars) {
      layer.update((jar.getFileName() + ":" + fileHash(jar) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    String id = HexFormat.of().formatHex(layer.digest());
    return new Layer(id, List.copyOf(jars), dir.resolve("layer-" + id.substring(0, 24) + ".init"));
  }

  private static String fileHash(Path file) {
    MessageDigest d = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
