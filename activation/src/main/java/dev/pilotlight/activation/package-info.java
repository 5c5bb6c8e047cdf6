/**
 * Holds requests until an instance has a free slot, and starts instances on demand (the activator):
 * each function's pool is a {@link dev.pilotlight.activation.PoolState} run by a shell.
 */
package dev.pilotlight.activation;
