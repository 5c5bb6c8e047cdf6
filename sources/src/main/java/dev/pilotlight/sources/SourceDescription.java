package dev.pilotlight.sources;

import java.util.List;

/**
 * A stored source URI taken apart by the parser its poller uses, without its password: what the
 * Lambda API shows of a mapping in AWS's shapes ({@code gateway}'s {@code LambdaEventSourceMappings}),
 * so that the form of a source is read in one place.
 */
public sealed interface SourceDescription {

  /**
   * A RabbitMQ queue.
   *
   * @param user the user the poller connects as (RabbitMQ's {@code guest} when the URI names none)
   */
  record Rabbit(String host, int port, String vhost, String user, String queue, boolean tls) implements SourceDescription {}

  /**
   * A Kafka topic.
   *
   * @param user null without SASL
   * @param group null: the mapping's own (its uuid)
   * @param start {@code latest} or {@code trim_horizon}
   * @param sasl {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}; null without a user
   */
  record Kafka(List<String> servers, String user, String topic, String group, String start, String sasl, boolean tls) implements SourceDescription {}

  /** Any other source (NATS, MQTT): shown as its URI without the password. */
  record Other(String shown) implements SourceDescription {}

  /**
   * The description of {@code source} (a URI as stored), told apart as {@code EventSources} picks a
   * poller: Kafka, NATS and MQTT by their schemes, RabbitMQ for the rest; one no parser takes is
   * {@link Other}.
   */
  static SourceDescription of(String source, String shown) {
    try {
      if (KafkaSource.handles(source)) {
        KafkaSource k = KafkaSource.parse(source);
        return new Kafka(k.servers(), k.user(), k.topic(), k.group(), k.start(), k.sasl(), k.tls());
      }
      if (!NatsSource.handles(source) && !MqttSource.handles(source)) {
        RabbitSource r = RabbitSource.parse(source);
        return new Rabbit(r.host(), r.port(), r.vhost(), r.user(), r.queue(), r.tls());
      }
    } catch (IllegalArgumentException stored) {
      // a stored source was checked when it was added; one that no longer parses is shown as it is
    }
    return new Other(shown);
  }
}
