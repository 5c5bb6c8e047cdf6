package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

/** The count a drain waits on, driven in memory: requests in, responses out, connections closed. */
class InFlightExchangesTest {
  final InFlightExchanges exchanges = new InFlightExchanges();

  private static DefaultFullHttpRequest request() {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/fn/f/");
  }

  private static void readAll(EmbeddedChannel c) {
    for (Object o; (o = c.readInbound()) != null; ) {
      ReferenceCountUtil.release(o);
    }
    for (Object o; (o = c.readOutbound()) != null; ) {
      ReferenceCountUtil.release(o);
    }
  }

  @Test
  void anExchangeCountsFromItsRequestToTheEndOfItsResponseAndAnInterimAnswerDoesNotEndIt() {
    EmbeddedChannel a = new EmbeddedChannel(exchanges.counter());
    EmbeddedChannel b = new EmbeddedChannel(exchanges.counter());
    a.writeInbound(request());
    a.writeInbound(request()); // pipelined
    b.writeInbound(request());
    assertThat(exchanges.count()).isEqualTo(3);

    a.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    assertThat(exchanges.count()).isEqualTo(3);
    a.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    a.writeOutbound(new DefaultHttpContent(io.netty.buffer.Unpooled.copiedBuffer(new byte[] {1})));
    assertThat(exchanges.count()).as("a streamed response not yet at its end").isEqualTo(3);
    a.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(exchanges.count()).isEqualTo(2);

    b.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(exchanges.count()).isEqualTo(1);
    a.close(); // the client left with its second request unanswered
    assertThat(exchanges.count()).isZero();
    readAll(a);
    readAll(b);
    b.finishAndReleaseAll();
  }

  @Test
  void anEndlessExchangeStopsCounting() {
    EmbeddedChannel c = new EmbeddedChannel(exchanges.counter());
    c.writeInbound(request());
    InFlightExchanges.endless(c);
    assertThat(exchanges.count()).isZero();
    c.close();
    assertThat(exchanges.count()).isZero();
    readAll(c);
  }
}
