package dev.pilotlight.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The same code as a function, started as a plain process: what a cold start through Pilotlight
 * is compared with.
 */
sealed interface PlainBaseline permits ProcessBaseline, HttpAppBaseline {

  /** Starts one plain process and returns the milliseconds until its first (checked) answer. */
  double coldMs() throws IOException, InterruptedException;

  /**
   * A running plain instance to send warm requests to directly, or empty where that does not
   * apply (a Lambda-style handler has no server of its own).
   */
  Optional<PlainHttpApp> startWarm() throws IOException, InterruptedException;

  /**
   * The plain-process baseline for {@code example}: InvokeOnce (java), the app's command (http),
   * the handler run once (python, node; {@code interpreter} is then needed). {@code logDir}
   * receives the output of http apps.
   */
  static PlainBaseline of(Example example, BenchPaths paths, Path interpreter, Path logDir) {
    return switch (example.kind()) {
      case HTTP -> new HttpAppBaseline(example, paths, logDir.resolve("baseline-" + example.name() + ".log"));
      case JAVA -> ProcessBaseline.invokeOnce(example, paths, ProcessBaseline.instanceEnvironment(System.getenv(), paths.javaHome()));
      case NODE -> ProcessBaseline.handlerOnce(example, interpreter, ProcessBaseline.instanceEnvironment(System.getenv(), paths.javaHome()));
      case PYTHON -> {
        // Bytecode is cached as the daemon's instances cache it, but outside the repository.
        Map<String, String> env = new HashMap<>(ProcessBaseline.instanceEnvironment(System.getenv(), paths.javaHome()));
        env.put("PYTHONPYCACHEPREFIX", logDir.resolve("pycache").toString());
        yield ProcessBaseline.handlerOnce(example, interpreter, env);
      }
    };
  }
}
