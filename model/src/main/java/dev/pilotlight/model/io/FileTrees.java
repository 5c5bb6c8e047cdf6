package dev.pilotlight.model.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deletes directory trees: work directories, snapshots, unpacked packages, temporary data dirs. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code tree} and everything under it; does nothing if it does not exist. Links are
   * deleted, never followed: a tree is never trusted, and a link in it must not reach outside.
   */
  public static void deleteTree(Path tree) throws IOException {
    if (Files.notExists(tree, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(tree, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** {@link #deleteTree} as far as it gets, for temporary directories whose leftovers are harmless. */
  public static void deleteTreeQuietly(Path tree) {
    try {
      deleteTree(tree);
    } catch (IOException e) {
      // best effort
    }
  }
}
