/**
 * The zero-dependency Java runtime: loads a Lambda handler from a task root and serves it through
 * the Lambda Runtime API; also runs one invocation in a plain process ({@link
 * dev.pilotlight.runner.InvokeOnce}).
 *
 * <p>Everything here runs on every cold start, so it avoids lambdas, streams, regular expressions,
 * pattern switches and {@code java.net.http}: each of them loads and links classes (or spins
 * invokedynamic bootstraps) that cost milliseconds before the first event is served.
 */
package dev.pilotlight.runner;
