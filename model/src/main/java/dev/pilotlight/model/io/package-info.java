/**
 * JDK-only helpers for local files and sockets that several modules need; they live in model because
 * it is the one module that all of those modules see.
 */
package dev.pilotlight.model.io;
