package dev.pilotlight.bench;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pilotlight bench NAME}: the project's benchmarks, one subcommand each. Only wiring: each
 * benchmark lives in its own command class.
 *
 * <p>Exit codes: 0 figures produced, 1 the benchmark failed (no valid figures), 64 bad usage.
 */
@Command(name = "pilotlight bench", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "BENCHMARK",
    description = "Run one of Pilotlight's benchmarks; each prints a table, or JSON with --json.")
public final class Main implements Callable<Integer> {
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 64;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /** Runs one command line and returns its exit code. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    try {
      return commandLine(out, err).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new Main());
    // Later benchmarks (burst, trace) are added here, one command class each.
    cli.addSubcommand(new ColdStartCommand(out, err));
    cli.addSubcommand(new BurstCommand(out, err));
    cli.addSubcommand(new TraceCommand(out, err));
    cli.addSubcommand(new ThroughputCommand(out, err));
    cli.addSubcommand(new RolloutCommand(out, err));
    cli.addSubcommand(new EventsCommand(out, err));
    cli.addSubcommand(new ClusterCommand(out, err));
    cli.addSubcommand(new FootprintCommand(out, err));
    cli.setOut(new PrintWriter(new OutputStreamWriter(out, out.charset()), true));
    cli.setErr(new PrintWriter(new OutputStreamWriter(err, err.charset()), true));
    cli.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE);
    cli.getSubcommands().values().forEach(c -> c.getCommandSpec().exitCodeOnInvalidInput(EXIT_USAGE));
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof BenchFailure) {
        err.println("error: " + e.getMessage());
      } else {
        err.println("error: " + e);
        e.printStackTrace(err);
      }
      return EXIT_FAILED;
    });
    return cli;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return EXIT_USAGE;
  }
}
