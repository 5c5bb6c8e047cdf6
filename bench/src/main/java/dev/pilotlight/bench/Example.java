package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An example as the benchmark needs it, read from its {@code pilotlight.yaml}.
 *
 * @param name the example's directory name, e.g. {@code hello-java}
 * @param dir the directory that is deployed
 * @param packageDir the code as deployed: {@code dir/<package>} when the manifest has a
 *     {@code package} key, else {@code dir}
 * @param runtime as in the manifest: {@code java…}, {@code http}, {@code python3.x}, {@code nodejs…}
 * @param handler the Lambda handler (Lambda-style runtimes), else null
 * @param command the command serving HTTP on $PORT ({@code http} runtime), else null
 */
record Example(String name, Path dir, Path packageDir, String runtime, String handler, String command) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** What decides the rungs and baselines measured. */
  enum Kind { JAVA, HTTP, PYTHON, NODE }

  /** The kind of {@code runtime}, or null when the benchmark cannot measure it. */
  static Kind kindOf(String runtime) {
    if (runtime.equals("http")) {
      return Kind.HTTP;
    }
    if (runtime.startsWith("java")) {
      return Kind.JAVA;
    }
    if (runtime.startsWith("python")) {
      return Kind.PYTHON;
    }
    if (runtime.startsWith("node")) {
      return Kind.NODE;
    }
    return null;
  }

  Kind kind() {
    return kindOf(runtime);
  }

  boolean isHttp() {
    return kind() == Kind.HTTP;
  }

  /**
   * The rungs measured: every rung for java; the default, the pool and the plain launch for python
   * and node (they have a warm pool but no AOT cache); the default, the AOT cache and plain for http
   * (the default is a snapshot restore when the daemon has CRIU, else the AOT cache for an app on a
   * JVM).
   */
  List<Rung> rungs() {
    return switch (kind()) {
      case JAVA -> List.of(Rung.values());
      case PYTHON, NODE -> List.of(Rung.DEFAULT, Rung.POOL, Rung.PLAIN, Rung.AS_USER);
      case HTTP -> List.of(Rung.DEFAULT, Rung.AOT, Rung.PLAIN, Rung.AS_USER);
    };
  }

  /** Whether a bare interpreter start is measured too (python and node). */
  boolean hasInterpreterBaseline() {
    return kind() == Kind.PYTHON || kind() == Kind.NODE;
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
    if (kindOf(runtime) == null) {
      throw new BenchFailure("example '" + name + "': runtime '" + runtime + "' (expected: java…, http, python… or node…)");
    }
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
