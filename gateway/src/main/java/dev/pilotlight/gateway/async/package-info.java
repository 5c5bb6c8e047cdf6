/** Asynchronous ({@code Event}) invocations: the durable queue's contract, the retry decision and the dispatcher that applies it. */
package dev.pilotlight.gateway.async;
