/**
 * Durable state on one machine: the function registry (SQLite), the content-addressed artifact
 * store for uploaded packages, the {@code pilotlight.yaml} manifest parser and the function log files.
 */
package dev.pilotlight.store;
