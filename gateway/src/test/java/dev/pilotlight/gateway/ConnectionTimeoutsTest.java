package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionTimeoutsTest {
  final EmbeddedChannel channel = new EmbeddedChannel(new ConnectionTimeouts(Duration.ofSeconds(15), Duration.ofMinutes(5)));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void elapse(long seconds) {
    channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() {
    elapse(14);
    assertThat(channel.isOpen()).isTrue();
    elapse(2);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aRequestBeingServedHoldsItsConnectionAsLongAsItTakes() {
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/fn/slow/"));
    channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    elapse(600);
    assertThat(channel.isOpen()).as("a 10-minute invocation").isTrue();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    elapse(14);
    assertThat(channel.isOpen()).isTrue();
    elapse(2);
    assertThat(channel.isOpen()).as("idle after its response").isFalse();
  }

  @Test
  void aBodyThatNeverFinishesIsCutOff() {
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/api/v1/functions/f"));
    channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1})));
    elapse(299);
    assertThat(channel.isOpen()).isTrue();
    elapse(2);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aHundredContinueIsNotTheEndOfTheRequest() {
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/api/v1/functions/f"));
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    elapse(60);
    assertThat(channel.isOpen()).as("still uploading after 100 Continue").isTrue();
  }
}
