/** The benchmarks behind {@code bin/pilotlight bench}: each measures against a baseline run side by side. */
package dev.pilotlight.bench;
