package dev.pilotlight.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * An http-runtime app started from its manifest's command, as the daemon would start it but
 * without the daemon: timed from spawn until {@code GET /?name=Ann} answers 200.
 */
final class HttpAppBaseline implements PlainBaseline {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Example example;
  private final BenchPaths paths;
  private final Path log;

  HttpAppBaseline(Example example, BenchPaths paths, Path log) {
    this.example = example;
    this.paths = paths;
    this.log = log;
  }

  @Override
  public double coldMs() throws IOException, InterruptedException {
    try (PlainHttpApp app = PlainHttpApp.start(example, paths, log)) {
      long answeredAt = app.awaitFirstAnswer(START_LIMIT);
      return (answeredAt - app.startedAt()) / 1e6;
    }
  }

  @Override
  public Optional<PlainHttpApp> startWarm() throws IOException, InterruptedException {
    PlainHttpApp app = PlainHttpApp.start(example, paths, log);
    try {
      app.awaitFirstAnswer(START_LIMIT);
      return Optional.of(app);
    } catch (IOException | InterruptedException | RuntimeException e) {
      app.close();
      throw e;
    }
  }
}
