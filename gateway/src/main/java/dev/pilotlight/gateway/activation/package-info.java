/** Holds requests until an instance has a free slot, and starts instances on demand (the activator). */
package dev.pilotlight.gateway.activation;
