package dev.pilotlight.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link Main#run} in-process with captured output. */
final class CliRunner {

  /** What one run left behind. */
  record Result(int exit, String out, String err) {}

  private final Map<String, String> env = new HashMap<>();

  /** A runner whose daemon URL (through PILOTLIGHT_URL) is {@code url}. */
  static CliRunner against(String url) {
    CliRunner r = new CliRunner();
    r.env.put("PILOTLIGHT_URL", url);
    return r;
  }

  static CliRunner withEnv(Map<String, String> env) {
    CliRunner r = new CliRunner();
    r.env.putAll(env);
    return r;
  }

  Result run(String... args) {
    return run(new ByteArrayOutputStream(), args);
  }

  /** Runs with stdout going to {@code stdout} (for watching output as it is written). */
  Result run(OutputStream stdout, String... args) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        captured.write(b);
        try {
          stdout.write(b);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        captured.write(b, off, len);
        try {
          stdout.write(b, off, len);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(new PrintStream(tee, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
    return new Result(exit, captured.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
