/** The daemon: {@code Main} parses options, {@code Wiring} builds the object graph, {@code ControlPlaneService} keeps store and activator in step. */
package dev.pilotlight.server;
