package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An example as the baselines need it, read from its {@code pilotlight.yaml}.
 *
 * @param name the example's directory name, e.g. {@code hello-java}
 * @param dir the directory that is deployed
 * @param packageDir the code as deployed: {@code dir/<package>} when the manifest has a
 *     {@code package} key, else {@code dir}
 * @param runtime {@code java…} or {@code http}
 * @param handler the Lambda handler ({@code java} runtimes), else null
 * @param command the command serving HTTP on $PORT ({@code http} runtime), else null
 */
record Example(String name, Path dir, Path packageDir, String runtime, String handler, String command) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  boolean isHttp() {
    return "http".equals(runtime);
  }

  static Example load(BenchPaths paths, String name) {
    Path dir = paths.example(name);
    Path manifest = dir.resolve("pilotlight.yaml");
    if (!Files.isRegularFile(manifest)) {
      throw new BenchFailure("example '" + name + "': " + manifest + " does not exist");
    }
    JsonNode m;
    try {
      m = YAML.readTree(manifest.toFile());
    } catch (IOException e) {
      throw new BenchFailure("example '" + name + "': cannot read " + manifest + ": " + e.getMessage(), e);
    }
    Path packageDir = m.hasNonNull("package") ? dir.resolve(m.get("package").asText()).normalize() : dir;
    if (!Files.isDirectory(packageDir)) {
      throw new BenchFailure("example '" + name + "': " + packageDir + " does not exist — build the project first");
    }
    String runtime = m.path("runtime").asText("");
    Example example = new Example(name, dir, packageDir, runtime, text(m, "handler"), text(m, "command"));
    if (example.isHttp() ? example.command == null : example.handler == null) {
      throw new BenchFailure("example '" + name + "': " + manifest + " has runtime '" + runtime
          + "' but no " + (example.isHttp() ? "command" : "handler"));
    }
    return example;
  }

  private static String text(JsonNode m, String key) {
    return m.hasNonNull(key) ? m.get(key).asText() : null;
  }
}
