package dev.pilotlight.cli;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.Setting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code deploy PATH}: packages a directory, jar or zip with its manifest and uploads it. */
@Command(name = "deploy",
    description = "Deploy a function from a directory (with or without pilotlight.yaml), a .jar or a .zip."
        + " Flags override the manifest.",
    modelTransformer = DeployCommand.SettingFlags.class)
class DeployCommand extends DaemonCommand {
  /** The longest a deploy waits for its revision's preparation before leaving it to the background. */
  static final Duration WAIT_LIMIT = Duration.ofMinutes(10);

  /** Settings whose flags are declared below by hand: the name's default, the handler/command choice, the repeatable env. */
  static final Set<Setting<?>> FLAGS_BY_HAND = Set.of(FunctionSettings.NAME, FunctionSettings.HANDLER, FunctionSettings.COMMAND,
      FunctionSettings.ENV, FunctionSettings.TAGS, FunctionSettings.PERMISSIONS);

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "Directory, .jar or .zip to deploy.")
  Path path;

  @Option(names = "--name", description = "Function name (default: the manifest's, else the file or directory name).")
  String name;

  @ArgGroup(exclusive = true)
  Entry entry;

  static final class Entry {
    @Option(names = "--handler", description = "Handler of a Lambda-style function: example.Hello::handleRequest (java), app.handler (python), index.handler (node).")
    String handler;

    @Option(names = "--command", description = "Command serving HTTP on $PORT (runtime http).")
    String command;
  }

  @Option(names = "--env", paramLabel = "KEY=VALUE", description = "Environment variable, merged over the manifest's env (repeatable).")
  List<String> env = new ArrayList<>();

  @Option(names = "--tags", paramLabel = "KEY=VALUE", description = "Lambda tag of the function as KEY=VALUE (repeatable; replaces the manifest's tags), also set by CreateFunction, TagResource and UntagResource and returned by ListTags and GetFunction (default: none).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--permissions", paramLabel = "SID=STATEMENT", description = "Statement of Lambda's resource-based policy as SID=its "
      + "JSON (repeatable; replaces the manifest's), also set by AddPermission and RemovePermission and returned by GetPolicy; "
      + "it decides what other functions' own keys may invoke here (default: none).")
  List<String> permissions = new ArrayList<>();

  @Option(names = "--json", description = "Print the daemon's answer as JSON.")
  boolean json;

  @Option(names = "--rollout", paramLabel = "PLAN", description = "Take over progressively from the revision serving now: "
      + "canary:10%%,5m (10 %% for 5 minutes, then all) or linear:10%%,1m (10 %% more each minute), rolled back at once if the new "
      + "revision fails more calls (,errors=1%%) or answers slower (,latency=2x) than the stable one; none: at once. Wins over "
      + "pilotlight.yaml's rollout key.")
  String rollout;

  @Option(names = "--wait", negatable = true, description = "Wait until what the daemon prepares for the new revision in the "
      + "background (a java function's AOT cache, an http app's AOT cache and snapshot) is ready, showing its progress "
      + "(default: on a terminal; --no-wait never waits).")
  Boolean wait;

  DeployCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() throws Exception {
    DeployProgress progress = new DeployProgress(ctx.err(), DeployProgress.onTerminal());
    DaemonClient client = client();
    Deployer.Deployed deployed = Deployer.deploy(client, path, overrides(), rollout, progress);
    long revision = deployed.function().path("revision").asLong();
    boolean waiting = wait != null ? wait : DeployProgress.onTerminal();
    if (!waiting) {
      progress.background(deployed.name(), deployed.function(), revision);
    }
    progress.clear();
    ctx.out().println(json ? Json.pretty(deployed.function()) : deployed.summary());
    ctx.out().flush();
    if (waiting) {
      progress.await(client, deployed.name(), revision, deployed.function(), WAIT_LIMIT);
    }
    return 0;
  }

  ManifestOverrides overrides() {
    ManifestOverrides.Builder flags = ManifestOverrides.builder().name(name).env(parseEnv(env))
        .set(FunctionSettings.HANDLER, entry == null ? null : entry.handler)
        .set(FunctionSettings.COMMAND, entry == null ? null : entry.command)
        .set(FunctionSettings.TAGS, tags.isEmpty() ? null : parsePairs("--tags", tags))
        .set(FunctionSettings.PERMISSIONS, permissions.isEmpty() ? null : parsePairs("--permissions", permissions));
    for (Setting<?> s : FunctionSettings.ALL) {
      if (s.flag() != null && !FLAGS_BY_HAND.contains(s)) {
        Object value = spec.findOption(s.flag()).getValue();
        flags.set(s, value == null ? null : manifestValue(s, value));
      }
    }
    return flags.build();
  }

  /**
   * A flag's value as the manifest gets it. Durations and the keep-alive policy are checked here,
   * for a fast error; a duration keeps the text the user wrote, a policy becomes its id.
   */
  private static Object manifestValue(Setting<?> s, Object value) {
    try {
      return switch (s.kind()) {
        case DURATION -> {
          s.parse(s.flag(), (String) value);
          yield value;
        }
        case KEEP_ALIVE -> FunctionSettings.KEEP_ALIVE.format(FunctionSettings.KEEP_ALIVE.parse(s.flag(), (String) value));
        default -> value;
      };
    } catch (Failure.InvalidInput e) {
      throw new CliFailure.Usage(e.getMessage());
    }
  }

  /** Adds a flag for each declared setting not declared by hand, typed as picocli converts it. */
  static final class SettingFlags implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec deploy) {
      for (Setting<?> s : FunctionSettings.ALL) {
        if (s.flag() != null && !FLAGS_BY_HAND.contains(s)) {
          deploy.addOption(OptionSpec.builder(s.flag()).paramLabel(s.flagLabel()).description(s.doc())
              .type(switch (s.kind()) {
                case INTEGER -> Integer.class;
                case DECIMAL -> Double.class;
                default -> String.class;
              })
              .build());
        }
      }
      return deploy;
    }
  }

  static Map<String, String> parsePairs(String flag, List<String> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq < 1) {
        throw new CliFailure.Usage(flag + " '" + pair + "' (expected: KEY=VALUE)");
      }
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  static Map<String, String> parseEnv(List<String> pairs) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new CliFailure.Usage("--env '" + pair + "' (expected: KEY=VALUE, e.g. --env LOG_LEVEL=debug)");
      }
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return env;
  }
}
