package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.source.EventSourceMapping;
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
}
