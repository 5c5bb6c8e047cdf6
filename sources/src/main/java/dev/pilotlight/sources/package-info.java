/**
 * Event source mappings: pollers in the daemon that read a broker's queue or topic (RabbitMQ, MQTT,
 * Apache Kafka) in batches, send each batch to a function in Lambda's event shape and acknowledge it
 * (Kafka: commit its offsets) once the function succeeded or the batch was kept in the failures list.
 */
package dev.pilotlight.sources;
