package dev.pilotlight.executor;

import java.io.IOException;

/**
 * Starts the process a ProcessBuilder describes (command, directory, environment, redirects): the
 * seam between the rungs and the operating system, so that each rung can be tested with a fake
 * that records what it was asked to start.
 */
@FunctionalInterface
interface ProcessStarter {
  /** The real thing. */
  ProcessStarter SYSTEM = ProcessBuilder::start;

  Process start(ProcessBuilder builder) throws IOException;
}
