package dev.pilotlight.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forwarding headers an app gets: the scheme of the client's connection, the chain of addresses. */
class ForwardedHeadersTest {
  @Test
  void theClientsAddressComesAfterTheChainItSentInOneLine() {
    assertThat(HttpProxy.forwardedFor(List.of(), "127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(HttpProxy.forwardedFor(List.of("10.1.2.3"), "127.0.0.1")).isEqualTo("10.1.2.3, 127.0.0.1");
    assertThat(HttpProxy.forwardedFor(List.of("10.1.2.3, 10.0.0.9", "10.4.5.6"), "::1")).isEqualTo("10.1.2.3, 10.0.0.9, 10.4.5.6, ::1");
  }

  @Test
  void httpsWhenTheConnectionOrTheStreamsConnectionHasTls() throws Exception {
    var tls = SslContextBuilder.forClient().build();
    var plain = new EmbeddedChannel();
    var secure = new EmbeddedChannel();
    secure.pipeline().addLast(tls.newHandler(secure.alloc()));
    // an HTTP/2 stream: its own pipeline has no TLS handler, its parent connection's has
    var stream = new EmbeddedChannel(secure, DefaultChannelId.newInstance(), true, false);
    var plainStream = new EmbeddedChannel(plain, DefaultChannelId.newInstance(), true, false);
    try {
      assertThat(HttpProxy.scheme(plain)).isEqualTo("http");
      assertThat(HttpProxy.scheme(secure)).isEqualTo("https");
      assertThat(HttpProxy.scheme(stream)).isEqualTo("https");
      assertThat(HttpProxy.scheme(plainStream)).isEqualTo("http");
    } finally {
      stream.finishAndReleaseAll();
      plainStream.finishAndReleaseAll();
      plain.finishAndReleaseAll();
      secure.finishAndReleaseAll();
    }
  }
}
