package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.source.EventSourceMapping;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NatsSourceTest {
  @Test
  void sourcesAreReadWithTheirDefaults() {
    NatsSource s = NatsSource.parse("nats://app:s%3Acret@nats.local:4333?stream=ORDERS&subject=orders.*&consumer=billing&start=new");
    assertThat(s).isEqualTo(new NatsSource("nats.local", 4333, "app", "s:cret", "ORDERS", "orders.*", "billing", true, false));
    assertThat(s.durable("u-1")).isEqualTo("billing");
    NatsSource plain = NatsSource.parse("nats://127.0.0.1?stream=S&subject=s.>");
    assertThat(plain).isEqualTo(new NatsSource("127.0.0.1", 4222, null, null, "S", "s.>", null, false, false));
    assertThat(plain.durable("u-1")).isEqualTo("pilotlight-u-1");
    assertThat(plain.arn()).isEqualTo("nats://127.0.0.1:4222/S");
    assertThat(NatsSource.parse("tls://h?stream=S").serverUrl()).isEqualTo("tls://h:4222");
  }

  @Test
  void credentialsAndTokensAreNeverShown() {
    assertThat(NatsSource.parse("nats://app:secret@h?stream=S").toString()).contains("app:****@").doesNotContain("secret");
    assertThat(NatsSource.parse("nats://t0ken@h?stream=S").toString()).contains("****@").doesNotContain("t0ken");
    assertThat(EventSourceMapping.redact("nats://t0ken@h:4222?stream=S")).isEqualTo("nats://****@h:4222?stream=S");
    assertThat(EventSourceMapping.redact("nats://app:secret@h:4222?stream=S")).isEqualTo("nats://app:****@h:4222?stream=S");
    // a '>' is no URI character: the source is still shown, not "(unreadable source)"
    assertThat(EventSourceMapping.redact("nats://app:secret@h:4222?stream=S&subject=s.>")).isEqualTo("nats://app:****@h:4222?stream=S&subject=s.>");
  }

  @Test
  void badSourcesNameWhatIsWrong() {
    assertThatThrownBy(() -> NatsSource.parse("nats://h?subject=x")).hasMessageContaining("no stream");
    assertThatThrownBy(() -> NatsSource.parse("nats://h?stream=S&start=latest")).hasMessageContaining("start=latest");
    assertThatThrownBy(() -> NatsSource.parse("nats://h?stream=S&queue=q")).hasMessageContaining("unknown parameter 'queue'");
    assertThatThrownBy(() -> NatsSource.parse("nats://h?stream=a.b")).hasMessageContaining("not a JetStream stream or consumer name");
    assertThatThrownBy(() -> NatsSource.parse("nats://?stream=S")).hasMessageContaining("no host");
  }

  @Test
  void filtersSeeTheSubjectAndTheDataParsedWhenItIsJson() {
    assertThat(NatsPoller.filterView("orders.new", "{\"kind\":\"order\"}".getBytes()).toString())
        .isEqualTo("{\"subject\":\"orders.new\",\"data\":{\"kind\":\"order\"}}");
    assertThat(NatsPoller.filterView("orders.new", "plain".getBytes()).toString()).isEqualTo("{\"subject\":\"orders.new\",\"data\":\"plain\"}");
    FilterPattern p = FilterPattern.parse("{\"data\": {\"kind\": [\"order\"]}}");
    assertThat(p.matches(NatsPoller.filterView("s", "{\"kind\":\"order\"}".getBytes()))).isTrue();
    assertThat(p.matches(NatsPoller.filterView("s", "order".getBytes()))).isFalse();
  }

  @Test
  void heldMessagesAreMarkedInProgressEveryThirdOfTheAckWaitAtMost20Seconds() {
    assertThat(NatsPoller.inProgressEvery(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(20));
    assertThat(NatsPoller.inProgressEvery(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(20));
    assertThat(NatsPoller.inProgressEvery(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(10));
    assertThat(NatsPoller.inProgressEvery(Duration.ofSeconds(2)).toMillis()).isEqualTo(666);
    assertThat(NatsPoller.inProgressEvery(Duration.ofMillis(30))).isEqualTo(Duration.ofMillis(100));
    // no wait given: the server's default (30 s)
    assertThat(NatsPoller.inProgressEvery(null)).isEqualTo(Duration.ofSeconds(10));
    assertThat(NatsPoller.inProgressEvery(Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aMappingReadsOnlyThroughAPullConsumerWithExplicitAcks() {
    assertThat(NatsPoller.unusable(ConsumerConfiguration.builder().durable("c").ackPolicy(AckPolicy.Explicit).build())).isNull();
    assertThat(NatsPoller.unusable(ConsumerConfiguration.builder().durable("c").ackPolicy(AckPolicy.Explicit).deliverSubject("d.x").build()))
        .isEqualTo("it is a push consumer (deliver subject 'd.x')");
    assertThat(NatsPoller.unusable(ConsumerConfiguration.builder().durable("c").ackPolicy(AckPolicy.None).build()))
        .isEqualTo("its ack policy is none");
    assertThat(NatsPoller.unusable(ConsumerConfiguration.builder().durable("c").ackPolicy(AckPolicy.All).deliverSubject("d").build()))
        .isEqualTo("it is a push consumer (deliver subject 'd') and its ack policy is all");
    NatsSource s = NatsSource.parse("nats://h?stream=ORDERS&consumer=billing");
    assertThatThrownBy(() -> NatsPoller.requireUsable(s, "billing", ConsumerConfiguration.builder().ackPolicy(AckPolicy.None).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consumer 'billing' on stream 'ORDERS' cannot be used: its ack policy is none (expected: a pull consumer with explicit "
            + "acknowledgements)");
  }
}
