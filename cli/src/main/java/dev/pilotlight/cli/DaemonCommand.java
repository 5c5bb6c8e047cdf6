package dev.pilotlight.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** What every command shares: the global options, its context and a client for the daemon. */
abstract class DaemonCommand implements Callable<Integer> {

  @Mixin
  GlobalOptions global;

  final CliContext ctx;

  DaemonCommand(CliContext ctx) {
    this.ctx = ctx;
  }

  DaemonClient client() {
    return new DaemonClient(global.resolveUrl(ctx.env()), GlobalOptions.resolveToken(ctx.env()));
  }
}
