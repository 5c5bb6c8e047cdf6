/** Streams function URL requests to {@code http} instances and their responses back. */
package dev.pilotlight.gateway.proxy;
