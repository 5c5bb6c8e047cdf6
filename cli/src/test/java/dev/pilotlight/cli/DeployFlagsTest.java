package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.Setting;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code deploy} has a flag per declared setting, described by its declaration, and no flag that is not a setting's or its own. */
class DeployFlagsTest {
  /** Flags of deploy that are not settings: output and the global ones. */
  /** Deploy's own options, which are not function settings (a rollout is how a revision takes over, not a setting of it). */
  private static final Set<String> NOT_SETTINGS = Set.of("--json", "--url", "--help", "-h", "--rollout", "--wait");

  private static CommandLine deploy() {
    var out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    CliContext ctx = new CliContext(out, out, Map.of());
    return Main.commandLine(ctx).getSubcommands().get("deploy");
  }

  @Test
  void everyDeclaredFlagIsAnOptionDescribedByItsDeclaration() {
    var spec = deploy().getCommandSpec();
    for (Setting<?> s : FunctionSettings.ALL) {
      if (s.flag() != null) {
        OptionSpec option = spec.findOption(s.flag());
        assertThat(option).as(s.flag()).isNotNull();
        assertThat(String.join(" ", option.description())).as(s.flag()).isEqualTo(s.doc());
      }
    }
  }

  @Test
  void everyOptionIsADeclaredFlagOrOneOfDeploysOwn() {
    Set<String> declared = FunctionSettings.ALL.stream().map(Setting::flag).filter(f -> f != null).collect(Collectors.toSet());
    List<String> undeclared = deploy().getCommandSpec().options().stream().map(OptionSpec::longestName)
        .filter(f -> !declared.contains(f) && !NOT_SETTINGS.contains(f)).toList();
    assertThat(undeclared).isEmpty();
  }

  @Test
  void flagsBecomeManifestValuesInManifestOrder() {
    CommandLine cli = Main.commandLine(new CliContext(System.out, System.err, Map.of()));
    cli.parseArgs("deploy", ".", "--readiness-path", "/ready", "--keep-alive", "OFF", "--memory", "512", "--runtime", "http",
        "--command", "./run", "--target-utilization", "0.5", "--timeout", "90s", "--name", "web", "--env", "A=b");
    ManifestOverrides flags = ((DeployCommand) cli.getSubcommands().get("deploy").getCommand()).overrides();
    assertThat(flags.name()).isEqualTo("web");
    assertThat(flags.env()).isEqualTo(Map.of("A", "b"));
    assertThat(flags.settings()).containsExactly(Map.entry("runtime", "http"), Map.entry("command", "./run"),
        Map.entry("memory", 512), Map.entry("timeout", "90s"), Map.entry("targetUtilization", 0.5), Map.entry("keepAlive", "off"),
        Map.entry("readinessPath", "/ready"));
  }

  @Test
  void aBadIntegerFlagIsPicocliUsageError() {
    var out = new ByteArrayOutputStream();
    var err = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit = Main.commandLine(new CliContext(err, err, Map.of())).execute("deploy", ".", "--memory", "lots");
    assertThat(exit).isEqualTo(CliFailure.EXIT_USAGE);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Invalid value for option '--memory': 'lots' is not an int");
  }
}
