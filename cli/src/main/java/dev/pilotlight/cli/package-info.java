/** The {@code pilotlight} command-line client: one class per command, talking to the daemon's native HTTP API. */
package dev.pilotlight.cli;
