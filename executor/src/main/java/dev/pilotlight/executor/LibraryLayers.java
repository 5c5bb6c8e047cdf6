package dev.pilotlight.executor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Identifies a Java function's library layer: the jars in its package's {@code lib/}, by file name
 * and SHA-256. Two functions share a layer only if they ship byte-for-byte the same library jars,
 * so a pool runner pre-loaded with a layer never gives a function a library version it does not ship.
 */
final class LibraryLayers {
  /** A layer: its id (a hash over names and contents) and the jar files to pre-load. */
  record Layer(String id, List<Path> jars) {
    static final Layer NONE = new Layer("", List.of());

    boolean isNone() {
      return jars.isEmpty();
    }
  }

  // Code directories are content-addressed and never rewritten, so their layer never changes.
  private final Map<Path, Layer> byCodeDir = new ConcurrentHashMap<>();

  Layer of(Path codeDir) {
    return byCodeDir.computeIfAbsent(codeDir, LibraryLayers::compute);
  }

  static Layer compute(Path codeDir) {
    Path lib = codeDir.resolve("lib");
    if (!Files.isDirectory(lib)) {
      return Layer.NONE;
    }
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(lib, "*.jar")) {
      for (Path p : s) {
        if (Files.isRegularFile(p)) {
          jars.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (jars.isEmpty()) {
      return Layer.NONE;
    }
    jars.sort(null);
    MessageDigest layer = sha256();
    for (Path jar : jars) {
      layer.update((jar.getFileName() + ":" + fileHash(jar) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return new Layer(HexFormat.of().formatHex(layer.digest()), List.copyOf(jars));
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
