package dev.pilotlight.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The runtimes a function can be deployed with, and the AWS identifiers that map onto them. */
public enum Runtime {
  /** A Lambda-style Java handler hosted by Pilotlight's own zero-dependency runner. */
  JAVA("java", List.of("java8.al2", "java11", "java17", "java21", "java25")),
  /** A {@code module.function} handler hosted by Pilotlight's own stdlib-only Python bootstrap. */
  PYTHON("python", List.of("python3", "python3.8", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14")),
  /** A {@code file.handler} handler hosted by Pilotlight's own stdlib-only Node.js bootstrap. */
  NODE("node", List.of("nodejs", "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x")),
  /** The package's own executable {@code bootstrap} (any language), talking to the Runtime API. */
  PROVIDED("provided", List.of("provided.al2", "provided.al2023")),
  /** Any command that serves HTTP on {@code $PORT}; Pilotlight proxies requests to it. */
  HTTP("http", List.of());

  private final String id;
  private final List<String> aliases;

  Runtime(String id, List<String> aliases) {
    this.id = id;
    this.aliases = aliases;
  }

  /** The identifier used in manifests, the CLI and the API. */
  public String id() {
    return id;
  }

  /** The Lambda runtime identifiers of this family ({@code java21}, {@code nodejs22.x}…); empty for {@code http}. */
  public List<String> awsIdentifiers() {
    List<String> ids = new java.util.ArrayList<>();
    if (this == PROVIDED) {
      ids.add(id);
    }
    aliases.stream().filter(a -> !a.equals("python3") && !a.equals("nodejs")).forEach(ids::add); // Pilotlight's shorthands
    return ids;
  }

  /** Whether instances speak the Lambda Runtime API (as opposed to plain HTTP). */
  public boolean lambdaStyle() {
    return this != HTTP;
  }

  /** Parses an identifier or AWS alias; the error lists every accepted value. */
  public static Runtime parse(String value) {
    if (value == null || value.isBlank()) {
      throw new Failure.InvalidInput("runtime is missing (expected one of: " + accepted() + ")");
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Runtime r : values()) {
      if (r.id.equals(v) || r.aliases.contains(v)) {
        return r;
      }
    }
    throw new Failure.InvalidInput("runtime: '" + value + "' is not supported (expected one of: " + accepted() + ")");
  }

  /** Every accepted identifier, comma separated. */
  public static String accepted() {
    return Arrays.stream(values())
        .flatMap(r -> Stream.concat(Stream.of(r.id), r.aliases.stream()))
        .collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
