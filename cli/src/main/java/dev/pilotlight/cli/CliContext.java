package dev.pilotlight.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/** Where a command reads and writes and the environment it reads, so tests run commands in-process. */
record CliContext(PrintStream out, PrintStream err, Map<String, String> env, InputStream in) {
  /** Reading the process's standard input. */
  CliContext(PrintStream out, PrintStream err, Map<String, String> env) {
    this(out, err, env, System.in);
  }
}
