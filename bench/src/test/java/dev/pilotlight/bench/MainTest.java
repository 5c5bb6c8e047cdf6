package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
  }

  @Test
  void withoutABenchmarkPrintsUsage() {
    assertThat(run()).isEqualTo(Main.EXIT_USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("coldstart");
  }

  @Test
  void coldstartHelpListsItsOptions() {
    assertThat(run("coldstart", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--runs", "--warm", "--examples", "--json", "--out");
  }

  @Test
  void badValuesFailBeforeAnythingStarts() {
    assertThat(run("coldstart", "--runs", "0")).isEqualTo(Main.EXIT_FAILED);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: --runs: 0 (expected: >= 1)");
    assertThat(run("coldstart", "--runs", "many")).isEqualTo(Main.EXIT_USAGE);
  }
}
