/** Asynchronous ({@code Event}) invocations: the retry decision and the dispatcher that applies it over {@code model}'s {@code EventQueue}. */
package dev.pilotlight.activation.async;
