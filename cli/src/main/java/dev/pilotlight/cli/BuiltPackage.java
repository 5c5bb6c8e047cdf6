package dev.pilotlight.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An upload zip in a temporary file, ready to PUT; closing it deletes the file.
 *
 * @param name the function name the package will be deployed as
 * @param zip the temporary zip: the code plus the merged {@code pilotlight.yaml} at its root
 * @param size the zip's size in bytes
 * @param manifest the merged manifest written into the zip
 */
record BuiltPackage(String name, Path zip, long size, Map<String, Object> manifest) implements AutoCloseable {
  @Override
  public void close() {
    try {
      Files.deleteIfExists(zip);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
