package dev.pilotlight.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The same code as a function, started as a plain process: what a cold start through Pilotlight
 * is compared with.
 */
sealed interface PlainBaseline permits InvokeOnceBaseline, HttpAppBaseline {

  /** Starts one plain process and returns the milliseconds until its first (checked) answer. */
  double coldMs() throws IOException, InterruptedException;

  /**
   * A running plain instance to send warm requests to directly, or empty where that does not
   * apply (a Lambda-style handler has no server of its own).
   */
  Optional<PlainHttpApp> startWarm() throws IOException, InterruptedException;

  /** The baseline for {@code example}; {@code logDir} receives the output of http apps. */
  static PlainBaseline of(Example example, BenchPaths paths, Path logDir) {
    if (example.isHttp()) {
      return new HttpAppBaseline(example, paths, logDir.resolve("baseline-" + example.name() + ".log"));
    }
    if (example.runtime().startsWith("java")) {
      return new InvokeOnceBaseline(example, paths);
    }
    throw new BenchFailure("example '" + example.name() + "': no plain baseline for runtime '" + example.runtime()
        + "' (expected: java… or http)");
  }
}
