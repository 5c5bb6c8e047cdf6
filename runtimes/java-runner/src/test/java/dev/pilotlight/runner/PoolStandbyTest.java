package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PoolStandbyTest {
  @Test
  void requestedOnlyByTheFlag() {
    assertThat(PoolStandby.requested(Map.of("PILOTLIGHT_POOL", "1"))).isTrue();
    assertThat(PoolStandby.requested(Map.of())).isFalse();
  }

  @Test
  void announcesReadinessThenAppliesTheEnvironmentFromOneStdinLine() throws IOException {
    String key = "PILOTLIGHT_TEST_VAR_" + System.nanoTime();
    String poolOnly = "PILOTLIGHT_TEST_POOL_ONLY_" + System.nanoTime();
    PoolStandby.environmentMap().put(poolOnly, "1");
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    byte[] rest = "\nnot for the standby".getBytes(StandardCharsets.UTF_8);
    // The platform sends the function's complete environment: here this JVM's own plus one variable.
    Map<String, Object> env = new TreeMap<>(System.getenv());
    env.remove(poolOnly);
    env.put(key, "v=1 é");
    ByteArrayInputStream in = new ByteArrayInputStream(
        (JsonWriter.write(env) + "\nnot for the standby").getBytes(StandardCharsets.UTF_8));
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      PoolStandby.awaitFunction(in);
    } finally {
      System.setOut(stdout);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(PoolStandby.READY_LINE + System.lineSeparator());
    assertThat(System.getenv(key)).isEqualTo("v=1 é");
    assertThat(System.getenv()).containsEntry(key, "v=1 é");
    // a child process sees it too
    assertThat(new ProcessBuilder().environment()).containsEntry(key, "v=1 é");
    // what only the pool had is gone
    assertThat(System.getenv(poolOnly)).isNull();
    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("not for the standby");
    assertThat(rest).isNotEmpty();
  }

  @Test
  void closedStdinIsAnError() {
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      assertThatThrownBy(() -> PoolStandby.awaitFunction(new ByteArrayInputStream(new byte[0])))
          .hasMessageContaining("closed stdin");
    } finally {
      System.setOut(stdout);
    }
  }
}
