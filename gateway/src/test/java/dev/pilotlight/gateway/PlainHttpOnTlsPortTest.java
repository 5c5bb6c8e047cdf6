package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlainHttpOnTlsPortTest {
  @Test
  void aPlainHttpRequestIsToldToUseHttpsAndTheConnectionClosed() {
    EmbeddedChannel ch = new EmbeddedChannel(new PlainHttpOnTlsPort());
    ch.writeInbound(Unpooled.copiedBuffer("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
    ByteBuf answer = ch.readOutbound();
    assertThat(answer.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("connection: close")
        .endsWith("use https://\"}");
    answer.release();
    assertThat(ch.isOpen()).isFalse();
    assertThat((Object) ch.readInbound()).as("nothing of it reaches the TLS handler").isNull();
  }

  @Test
  void aTlsRecordPassesOnUntouchedAndTheCheckLeaves() {
    EmbeddedChannel ch = new EmbeddedChannel(new PlainHttpOnTlsPort());
    byte[] hello = {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5};
    ch.writeInbound(Unpooled.wrappedBuffer(hello));
    ByteBuf passed = ch.readInbound();
    byte[] got = new byte[passed.readableBytes()];
    passed.readBytes(got).release();
    assertThat(got).isEqualTo(hello);
    assertThat(ch.pipeline().get(PlainHttpOnTlsPort.class)).isNull();
    assertThat((Object) ch.readOutbound()).isNull();
    assertThat(ch.isOpen()).isTrue();
  }
}
