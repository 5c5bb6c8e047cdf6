/**
 * Event source mappings: pollers in the daemon that read a broker's queue (RabbitMQ) in batches, send
 * each batch to a function in Lambda's event shape and acknowledge it once the function succeeded.
 */
package dev.pilotlight.sources;
