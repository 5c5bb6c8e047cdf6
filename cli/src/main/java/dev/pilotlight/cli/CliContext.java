package dev.pilotlight.cli;

import java.io.PrintStream;
import java.util.Map;

/** Where a command writes and the environment it reads, so tests run commands in-process. */
record CliContext(PrintStream out, PrintStream err, Map<String, String> env) {}
