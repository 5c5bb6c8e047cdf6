package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryLayerTest {
  private static final String COUNTED = "testfixtures.layer.Counted";
  private static final String BROKEN = "testfixtures.layer.BrokenInit";

  /** A library jar holding the two layer fixtures. */
  private static Path libraryJar(Path dir) throws IOException {
    Path jar = dir.resolve("lib-1.0.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String name : List.of(COUNTED, BROKEN)) {
        String entry = name.replace('.', '/') + ".class";
        out.putNextEntry(new JarEntry(entry));
        try (var in = Files.newInputStream(TestFunctions.testClasses().resolve(entry))) {
          in.transferTo((OutputStream) out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  @AfterEach
  void forgetTheLayer() {
    LibraryLayer.forget(); // other tests in this JVM load functions without one
  }

  @Test
  void initialisesTheListedClassesInTheLayersOwnLoader(@TempDir Path dir) throws Exception {
    Path jar = libraryJar(dir);
    int before = Integer.getInteger("testfixtures.layer.counted", 0);
    int initialised = LibraryLayer.load(jar.toString(), List.of(COUNTED, "not.in.the.Layer"));
    assertThat(initialised).isEqualTo(1);
    assertThat(Integer.getInteger("testfixtures.layer.counted", 0)).isEqualTo(before + 1);
    LibraryLayer layer = LibraryLayer.current();
    assertThat(layer.covers(jar.toFile())).isTrue();
    // already initialised there: asking again runs nothing
    Class.forName(COUNTED, true, layer.loader());
    assertThat(Integer.getInteger("testfixtures.layer.counted", 0)).isEqualTo(before + 1);
    assertThat(Class.forName(COUNTED, false, layer.loader()).getClassLoader()).isSameAs(layer.loader());
  }

  @Test
  void aFailingInitialiserLeavesALayerWithNothingInitialised(@TempDir Path dir) throws Exception {
    Path jar = libraryJar(dir);
    int initialised = LibraryLayer.load(jar.toString(), List.of(COUNTED, BROKEN));
    assertThat(initialised).isZero();
    ClassLoader loader = LibraryLayer.current().loader();
    int before = Integer.getInteger("testfixtures.layer.counted", 0);
    // a fresh loader: the class's initialiser runs now, for the first time in this layer
    Class.forName(COUNTED, true, loader);
    assertThat(Integer.getInteger("testfixtures.layer.counted", 0)).isEqualTo(before + 1);
    // and the failing one fails as in a plain launch (ExceptionInInitializerError, not a NoClassDefFoundError left by the layer)
    assertThatThrownBy(() -> Class.forName(BROKEN, true, loader)).isInstanceOf(ExceptionInInitializerError.class);
  }

  @Test
  void readsTheListSkippingBlanksAndComments(@TempDir Path dir) throws IOException {
    Path list = dir.resolve("layer.init");
    Files.writeString(list, "# learned\na.B\n\n  c.D  \n");
    assertThat(LibraryLayer.readList(list.toString())).containsExactly("a.B", "c.D");
    assertThat(LibraryLayer.readList(dir.resolve("missing").toString())).isEmpty();
    assertThat(LibraryLayer.readList(null)).isEmpty();
  }
}
