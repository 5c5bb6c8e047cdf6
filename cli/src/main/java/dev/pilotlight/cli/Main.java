package dev.pilotlight.cli;

import dev.pilotlight.model.Failure;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pilotlight} command line. {@link #run} is the whole program, so tests drive it
 * in-process; {@link #main} only adds {@code System.exit}.
 *
 * <p>Exit codes: 0 success, 1 the command failed (a daemon error, a function error), 2 the daemon
 * could not be reached, 64 the command line was wrong.
 */
@Command(name = "pilotlight",
    description = "Deploy, call and watch functions on a Pilotlight daemon.",
    synopsisSubcommandLabel = "COMMAND",
    footer = {"", "Start the daemon with: bin/pilotlight serve"})
public final class Main extends DaemonCommand {

  Main(CliContext ctx) {
    super(ctx);
  }

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, System.getenv(), args));
  }

  /** Runs one command line and returns its exit code. */
  public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    CliContext ctx = new CliContext(out, err, env);
    try {
      return commandLine(ctx).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  static CommandLine commandLine(CliContext ctx) {
    CommandLine cli = new CommandLine(new Main(ctx));
    for (Object command : List.of(
        new DeployCommand(ctx), new DevCommand(ctx), new InvokeCommand(ctx), new LsCommand(ctx), new StatusCommand(ctx),
        new LogsCommand(ctx), new RmCommand(ctx), new FailuresCommand(ctx), new RedriveCommand(ctx), new CostCommand(ctx), new DemoCommand(ctx),
        new ReleaseCommands.Revisions(ctx), new ReleaseCommands.TrafficCommand(ctx), new ReleaseCommands.Rollback(ctx),
        new ReleaseCommands.RolloutCommand(ctx))) {
      cli.addSubcommand(new CommandLine(command)); // built on its own so that deploy's modelTransformer runs
    }
    CommandLine schedules = new CommandLine(new ScheduleCommands.Group(ctx));
    schedules.addSubcommand(new CommandLine(new ScheduleCommands.Add(ctx)));
    schedules.addSubcommand(new CommandLine(new ScheduleCommands.Ls(ctx)));
    schedules.addSubcommand(new CommandLine(new ScheduleCommands.Rm(ctx)));
    cli.addSubcommand("schedule", schedules);
    CommandLine sources = new CommandLine(new EventSourceCommands.Group(ctx));
    for (Object c : List.of(new EventSourceCommands.Add(ctx), new EventSourceCommands.Ls(ctx), new EventSourceCommands.Rm(ctx),
        new EventSourceCommands.Pause(ctx), new EventSourceCommands.Resume(ctx), new EventSourceCommands.Update(ctx))) {
      sources.addSubcommand(new CommandLine(c));
    }
    cli.addSubcommand("events", sources);
    CommandLine secrets = new CommandLine(new SecretCommands.Group(ctx));
    for (Object c : List.of(new SecretCommands.Set(ctx), new SecretCommands.Ls(ctx), new SecretCommands.Rm(ctx))) {
      secrets.addSubcommand(new CommandLine(c));
    }
    cli.addSubcommand("secrets", secrets);
    for (CredentialCommands.Kind kind : CredentialCommands.Kind.values()) {
      CommandLine group = new CommandLine(new CredentialCommands.Group(ctx));
      group.addSubcommand(new CommandLine(new CredentialCommands.Create(ctx, kind)));
      group.addSubcommand(new CommandLine(new CredentialCommands.Ls(ctx, kind)));
      group.addSubcommand(new CommandLine(new CredentialCommands.Revoke(ctx, kind)));
      group.getCommandSpec().usageMessage().description(kind == CredentialCommands.Kind.TOKENS
          ? "Bearer tokens for the native API and this CLI (admin token needed)."
          : "Access keys for the Lambda API: the aws CLI and SDKs sign with them (admin token needed).");
      cli.addSubcommand(kind.listField, group);
    }
    cli.setOut(new PrintWriter(new OutputStreamWriter(ctx.out(), ctx.out().charset()), true));
    cli.setErr(new PrintWriter(new OutputStreamWriter(ctx.err(), ctx.err().charset()), true));
    cli.getCommandSpec().exitCodeOnInvalidInput(CliFailure.EXIT_USAGE);
    cli.getSubcommands().values().forEach(c -> {
      c.getCommandSpec().exitCodeOnInvalidInput(CliFailure.EXIT_USAGE);
      c.getSubcommands().values().forEach(sub -> sub.getCommandSpec().exitCodeOnInvalidInput(CliFailure.EXIT_USAGE));
    });
    // "--data @event.json" is ours to read; picocli would otherwise expand it into arguments.
    cli.setExpandAtFiles(false);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, ctx.err()));
    return cli;
  }

  /** The one place failures become an {@code error: …} line and an exit code. */
  static int report(Exception e, PrintStream err) {
    if (e instanceof CliFailure f) {
      err.println("error: " + f.getMessage());
      return f.exitCode();
    }
    if (e instanceof Failure.InvalidInput f) {
      err.println("error: " + f.getMessage());
      return CliFailure.EXIT_FAILED;
    }
    if (e instanceof UncheckedIOException || e instanceof IOException) {
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      err.println("error: " + cause);
      return CliFailure.EXIT_FAILED;
    }
    err.println("error: unexpected failure (a bug in the CLI): " + e);
    e.printStackTrace(err);
    return CliFailure.EXIT_FAILED;
  }

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return CliFailure.EXIT_USAGE;
  }
}
