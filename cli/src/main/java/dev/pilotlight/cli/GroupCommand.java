package dev.pilotlight.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups others ({@code tokens}, {@code keys}, {@code schedule}, {@code events}): alone, it prints its usage. */
abstract class GroupCommand extends DaemonCommand {
  @Spec
  CommandSpec spec;

  GroupCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(ctx.err());
    return CliFailure.EXIT_USAGE;
  }
}
