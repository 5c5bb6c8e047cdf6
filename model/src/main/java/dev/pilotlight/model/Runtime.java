package dev.pilotlight.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The runtimes a function can be deployed with, and the AWS identifiers that map onto them. */
public enum Runtime {
  /** A Lambda-style Java handler hosted by Pilotlight's own zero-dependency runner. */
  JAVA("java", List.of("java17", "java21", "java25")),
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
        .flatMap(r -> java.util.stream.Stream.concat(java.util.stream.Stream.of(r.id), r.aliases.stream()))
        .collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
