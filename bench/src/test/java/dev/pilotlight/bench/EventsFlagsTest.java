package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EventsFlagsTest {
  static EventsCommand parse(String... args) {
    EventsCommand c = new EventsCommand(System.out, System.err);
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void kafkaRunsUnlessLeftOut() {
    assertThat(parse().noKafka).isFalse();
    assertThat(parse("--no-kafka").noKafka).isTrue();
    assertThat(parse("--kafka-bootstrap", "127.0.0.1:9092").kafkaBootstrap).isEqualTo("127.0.0.1:9092");
  }
}
