package dev.pilotlight.testing;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Fixture builders for specs and deployments. */
public final class Deployments {
  private Deployments() {}

  public static FunctionSpec javaSpec(String name, int concurrency, int maxInstances, Duration idle) {
    return new FunctionSpec(name, Runtime.JAVA, "example.Hello::handleRequest", null, 256, Duration.ofSeconds(30),
        concurrency, 0, maxInstances, idle, Map.of());
  }

  public static Deployment of(FunctionSpec spec, long revision) {
    return new Deployment(spec, revision, "0".repeat(64), 1, Path.of("/tmp/none"), Instant.EPOCH);
  }

  public static Deployment java(String name, int concurrency, int maxInstances) {
    return of(javaSpec(name, concurrency, maxInstances, FunctionSpec.DEFAULT_IDLE_TIMEOUT), 1);
  }
}
