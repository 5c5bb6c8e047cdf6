package dev.pilotlight.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
  @TempDir Path tmp;

  @Test
  void deletesATreeWithEverythingInIt() throws IOException {
    Path tree = tmp.resolve("tree");
    Files.createDirectories(tree.resolve("a/b"));
    Files.writeString(tree.resolve("a/b/file"), "x");
    Files.writeString(tree.resolve("top"), "y");

    FileTrees.deleteTree(tree);

    assertThat(tree).doesNotExist();
    assertThat(tmp).exists();
  }

  @Test
  void aMissingTreeIsNothingToDo() throws IOException {
    FileTrees.deleteTree(tmp.resolve("never-made"));
    FileTrees.deleteTreeQuietly(tmp.resolve("never-made"));

    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void deletesLinksWithoutFollowingThem() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "k");
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    Files.createSymbolicLink(tree.resolve("link"), outside);

    FileTrees.deleteTree(tree);

    assertThat(tree).doesNotExist();
    assertThat(outside.resolve("keep")).hasContent("k");
  }

  @Test
  void aFileIsATreeOfOne() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");

    FileTrees.deleteTreeQuietly(file);

    assertThat(file).doesNotExist();
  }
}
