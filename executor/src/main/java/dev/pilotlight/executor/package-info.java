/**
 * Owns instance lifecycles: launches function processes on the launch ladder's fastest rung that
 * serves them, captures their output, stops them.
 */
package dev.pilotlight.executor;
