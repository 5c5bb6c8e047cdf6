package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryLayersTest {
  private static void jar(Path file, String... classes) throws IOException {
    Files.createDirectories(file.getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
      for (String c : classes) {
        out.putNextEntry(new JarEntry(c.replace('.', '/') + ".class"));
        out.write(new byte[] {(byte) 0xca, (byte) 0xfe});
        out.closeEntry();
      }
    }
  }

  private static String logLine(int n, String className) {
    return n + " Initializing '" + className.replace('.', '/') + "'(no method) (0x0000000098050950) by thread \"main\"";
  }

  @Test
  void noLibDirectoryMeansTheEmptyLayerWithNothingToLoadOrLearn(@TempDir Path dir) throws IOException {
    LibraryLayers layers = new LibraryLayers(dir.resolve("layers"));
    LibraryLayers.Layer empty = layers.of(dir);
    // an uber jar's functions still get runners started for them (their code loaded ahead), with no libraries
    assertThat(empty.isNone()).isFalse();
    assertThat(empty.hasJars()).isFalse();
    Files.createDirectories(dir.resolve("other/lib"));
    assertThat(layers.of(dir.resolve("other"))).as("an empty lib/ is the same").isEqualTo(empty);
    Path log = Files.write(dir.resolve("train.log"), List.of(logLine(1, "java.lang.String")));
    assertThat(layers.recordInitialised(empty, List.of(log))).isFalse();
    assertThat(empty.initList()).doesNotExist();
  }

  @Test
  void sameJarsSameLayerAndAnyByteDifferenceAnother(@TempDir Path dir) throws IOException {
    jar(dir.resolve("a/lib/lib.jar"), "lib.A");
    Files.createDirectories(dir.resolve("b/lib"));
    Files.copy(dir.resolve("a/lib/lib.jar"), dir.resolve("b/lib/lib.jar"));
    jar(dir.resolve("c/lib/lib.jar"), "lib.A", "lib.B");
    LibraryLayers layers = new LibraryLayers(dir.resolve("layers"));
    LibraryLayers.Layer a = layers.of(dir.resolve("a"));
    assertThat(a.id()).isEqualTo(layers.of(dir.resolve("b")).id());
    assertThat(layers.of(dir.resolve("c")).id()).isNotEqualTo(a.id());
    assertThat(a.initList().getParent()).isEqualTo(dir.resolve("layers"));
  }

  @Test
  void theInitialisationListKeepsTheLayersClassesInOrderAndOnlyGrows(@TempDir Path dir) throws IOException {
    jar(dir.resolve("fn/lib/one.jar"), "lib.A", "lib.B", "lib.C");
    jar(dir.resolve("fn/lib/two.jar"), "other.D");
    LibraryLayers layers = new LibraryLayers(dir.resolve("layers"));
    LibraryLayers.Layer layer = layers.of(dir.resolve("fn"));
    Path training = dir.resolve("training.log");
    Files.write(training, List.of("Start class verification for: lib.B", logLine(1, "java.lang.String"), logLine(2, "lib.B"),
        logLine(3, "fn.Handler"), logLine(4, "other.D")));
    assertThat(layers.recordInitialised(layer, List.of(training))).isTrue();
    assertThat(Files.readAllLines(layer.initList())).containsExactly("lib.B", "other.D");

    Path firstCall = dir.resolve("instance.log");
    Files.write(firstCall, List.of(logLine(1, "lib.B"), logLine(2, "lib.C"), logLine(3, "lib.A")));
    assertThat(layers.recordInitialised(layer, List.of(firstCall))).isTrue();
    assertThat(Files.readAllLines(layer.initList())).containsExactly("lib.B", "other.D", "lib.C", "lib.A");

    // nothing new: unchanged, so the pool has nothing to renew
    assertThat(layers.recordInitialised(layer, List.of(training, firstCall))).isFalse();
    assertThat(layers.recordInitialised(LibraryLayers.Layer.NONE, List.of(training))).isFalse();
  }
}
