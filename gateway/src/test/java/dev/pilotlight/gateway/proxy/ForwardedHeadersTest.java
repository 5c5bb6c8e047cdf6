package dev.pilotlight.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;

/** The forwarding headers an app gets: the scheme of the client's connection, the chain of addresses. */
class ForwardedHeadersTest {
  @Test
  void theClientsAddressComesAfterTheChainItSentInOneLine() {
    assertThat(Forwarded.forwardedFor(null, "127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(Forwarded.forwardedFor(" ", "127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(Forwarded.forwardedFor("10.1.2.3", "127.0.0.1")).isEqualTo("10.1.2.3, 127.0.0.1");
    assertThat(Forwarded.forwardedFor("10.1.2.3, 10.0.0.9", "::1")).isEqualTo("10.1.2.3, 10.0.0.9, ::1");
  }

  @Test
  void theClientsAddressIsItsConnectionsPeerAlsoForAStream() {
    var connection = new EmbeddedChannel() {
      @Override
      protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("203.0.113.7", 50_000);
      }
    };
    var stream = new EmbeddedChannel(connection, DefaultChannelId.newInstance(), true, false);
    var unknown = new EmbeddedChannel(); // not a socket: the loopback address, as before
    try {
      assertThat(Forwarded.clientIp(connection)).isEqualTo("203.0.113.7");
      assertThat(Forwarded.clientIp(connection)).isEqualTo("203.0.113.7");
      assertThat(Forwarded.clientIp(stream)).isEqualTo("203.0.113.7");
      assertThat(Forwarded.clientIp(unknown)).isEqualTo("127.0.0.1");
    } finally {
      stream.finishAndReleaseAll();
      connection.finishAndReleaseAll();
      unknown.finishAndReleaseAll();
    }
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
      assertThat(Forwarded.scheme(plain)).isEqualTo("http");
      assertThat(Forwarded.scheme(secure)).isEqualTo("https");
      assertThat(Forwarded.scheme(stream)).isEqualTo("https");
      assertThat(Forwarded.scheme(plainStream)).isEqualTo("http");
      // found once per channel, then the same answer
      assertThat(Forwarded.scheme(secure)).isEqualTo("https");
      assertThat(Forwarded.scheme(plain)).isEqualTo("http");
      var laterStream = new EmbeddedChannel(secure, DefaultChannelId.newInstance(), true, false);
      assertThat(Forwarded.scheme(laterStream)).isEqualTo("https");
      laterStream.finishAndReleaseAll();
    } finally {
      stream.finishAndReleaseAll();
      plainStream.finishAndReleaseAll();
      plain.finishAndReleaseAll();
      secure.finishAndReleaseAll();
    }
  }
}
