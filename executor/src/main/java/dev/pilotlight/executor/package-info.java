/** Owns instance lifecycles: launches function processes, captures their output, stops them. */
package dev.pilotlight.executor;
