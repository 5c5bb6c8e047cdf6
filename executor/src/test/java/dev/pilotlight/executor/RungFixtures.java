package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Deployments, a configuration and a log for the rung tests, laid out in a temporary directory. */
final class RungFixtures {
  final Path dir;
  final ExecutorConfig config;
  final List<String> logLines = new CopyOnWriteArrayList<>();
  final InstanceLogSink logs = (function, instance, request, line) -> logLines.add(function + " " + line);

  RungFixtures(Path dir) throws IOException {
    this.dir = dir;
    Path runtimes = Files.createDirectories(dir.resolve("runtimes"));
    Files.createDirectories(runtimes.resolve("python"));
    Files.writeString(runtimes.resolve("python/bootstrap.py"), "");
    Path jar = runtimes.resolve("pilotlight-java-runner.jar");
    Files.writeString(jar, "not really a jar");
    config = new ExecutorConfig(Path.of(System.getProperty("java.home")), jar, ExecutorConfig.DEFAULT_JAVA_OPTIONS, Duration.ofSeconds(2),
        "us-east-1", runtimes, Path.of("/usr/bin/python3"), null);
    Path bootstrap = Files.createDirectories(dir.resolve("code")).resolve("bootstrap");
    Files.writeString(bootstrap, "#!/bin/sh\n");
    bootstrap.toFile().setExecutable(true);
  }

  Deployment deployment(Runtime runtime, Map<String, String> env) {
    FunctionSpec spec = FunctionSpec.of("f", runtime, runtime == Runtime.HTTP ? null : "a.b", runtime == Runtime.HTTP ? "serve --fast" : null);
    spec = spec.toBuilder().memoryMb(256).env(env).build();
    return new Deployment(spec, 1, "0".repeat(64), 1, dir.resolve("code"), Instant.EPOCH);
  }

  Deployment deployment(Runtime runtime) {
    return deployment(runtime, Map.of());
  }

  /** Starts that run on the caller's thread through {@code starter}, with endpoints from {@code runtimeApi}. */
  InstanceStarts starts(RuntimeApiServer runtimeApi, ProcessStarter starter) {
    return new InstanceStarts(config, runtimeApi, logs, starter, new BootGate(2), Runnable::run);
  }

  LaunchRequest request(Deployment d) {
    return LaunchRequest.of(d.name() + "-1", d, Duration.ofSeconds(10), config, false, "$LATEST");
  }
}
