package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.model.Setting;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code serve}'s flags for functions' defaults are the declared ones, and they reach the config. */
class ServeFlagsTest {
  private static final DaemonConfig BASE = DaemonConfig.builder(Path.of("/tmp/data"), Path.of("/tmp/runner.jar")).memoryBudgetMb(1024)
      .build();

  private static DaemonConfig serve(String... args) {
    Main main = new Main();
    new CommandLine(main).parseArgs(args);
    return main.withSettingFlags(BASE);
  }

  @Test
  void helpRendersItsTextAsWritten() {
    // picocli reads descriptions as format strings: a lone % prints a warning on stderr instead of the help.
    PrintStream before = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
    String usage;
    try {
      usage = new CommandLine(new Main()).getUsageMessage();
    } finally {
      System.setErr(before);
    }
    assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(usage.replaceAll("\\s+", " ")).contains("75% of the machine's memory");
  }

  @Test
  void everyDeclaredDaemonFlagIsAServeOption() {
    var spec = new CommandLine(new Main()).getCommandSpec();
    for (Setting<?> s : FunctionSettings.ALL) {
      if (s.daemonFlag() != null) {
        assertThat(spec.findOption(s.daemonFlag())).as(s.key()).isNotNull();
      }
    }
  }

  @Test
  void withoutFlagsFunctionsGetTheDeclaredDefaults() {
    DaemonConfig c = serve("--criu", "off", "--memory-budget-mb", "512");
    assertThat(c.scaling()).isEqualTo(ScalingSettings.DEFAULTS);
    assertThat(c.maxQueue()).isEqualTo(ScalingSettings.DEFAULT_MAX_QUEUE);
    assertThat(c.keepAlive()).isEqualTo(KeepAlive.HISTOGRAM);
    assertThat(c.keepAliveBudget()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.memoryBudgetMb()).isEqualTo(512);
    assertThat(c.criu()).isEqualTo("off");
  }

  @Test
  void scalingFlagsBecomeTheDaemonsSettings() {
    DaemonConfig c = serve("--criu", "off", "--target-utilization", "0.5", "--stable-window", "30s", "--panic-window", "3s",
        "--panic-threshold", "3", "--max-scale-up-rate", "10", "--max-scale-down-rate", "1.5", "--max-queue", "7", "--max-queue-wait", "2s",
        "--scale-down-delay", "0s", "--keep-alive", "OFF", "--keep-alive-budget", "5m");
    assertThat(c.scaling()).isEqualTo(new ScalingSettings(0.5, Duration.ofSeconds(30), Duration.ofSeconds(3), 3.0, 10.0, 1.5, 7,
        Duration.ofSeconds(2), Duration.ZERO));
    assertThat(c.maxQueue()).isEqualTo(7);
    assertThat(c.keepAlive()).isEqualTo(KeepAlive.OFF);
    assertThat(c.keepAliveBudget()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aBadValueNamesTheFlag() {
    assertThatThrownBy(() -> serve("--stable-window", "a minute")).isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("--stable-window: 'a minute' is not a duration");
    assertThatThrownBy(() -> serve("--keep-alive", "forever")).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("--keep-alive: 'forever' (expected one of: histogram, fixed, off)");
    assertThatThrownBy(() -> serve("--scale-down-delay", "2h")).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("scaleDownDelay: 2h (expected: between 0s (off) and 1h)");
    assertThatThrownBy(() -> serve("--keep-alive-budget", "5h")).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("--keep-alive-budget: '5h' (expected: 0s to 4h, the learned keep-alive's range)");
  }

  @Test
  void theDrainTimeoutIsADurationUpToAnHourWithADefaultBelowKubernetesGracePeriod() {
    Main main = new Main();
    new CommandLine(main).parseArgs();
    if (System.getenv("PILOTLIGHT_DRAIN_TIMEOUT") == null) {
      assertThat(main.drainTimeout()).isEqualTo(Duration.ofSeconds(20)); // Kubernetes' default grace period is 30 s
    }
    new CommandLine(main).parseArgs("--drain-timeout", "45s");
    assertThat(main.drainTimeout()).isEqualTo(Duration.ofSeconds(45));
    new CommandLine(main).parseArgs("--drain-timeout", "0s");
    assertThat(main.drainTimeout()).isZero();
    Main tooLong = new Main();
    new CommandLine(tooLong).parseArgs("--drain-timeout", "2h");
    assertThatThrownBy(tooLong::drainTimeout).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("--drain-timeout: '2h' (expected: 0s to 1h)");
  }
}
