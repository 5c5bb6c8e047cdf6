package dev.pilotlight.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A Lambda-style handler run once in a fresh JVM by the runner's {@code InvokeOnce}, with the
 * start-up flags the runner itself uses: timed from spawn to process exit, stdout read in full.
 */
final class InvokeOnceBaseline implements PlainBaseline {
  private final List<String> command;
  private final String what;

  InvokeOnceBaseline(Example example, BenchPaths paths) {
    this.command = List.of(paths.java().toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
        "-cp", paths.javaRunnerJar().toString(), "dev.pilotlight.runner.InvokeOnce",
        example.packageDir().toString(), example.handler(), Expect.EVENT);
    this.what = example.name() + " as a plain process (InvokeOnce)";
  }

  @Override
  public double coldMs() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    long start = System.nanoTime();
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    double ms = (System.nanoTime() - start) / 1e6;
    Expect.processGreeting(what, exit, new String(output, StandardCharsets.UTF_8));
    return ms;
  }

  @Override
  public Optional<PlainHttpApp> startWarm() {
    return Optional.empty();
  }
}
