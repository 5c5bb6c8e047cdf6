package dev.pilotlight.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.gateway.lambda.EventStreamMessages;
import dev.pilotlight.model.ResponseStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The answer to {@code InvokeWithResponseStream}: {@code 200} with an
 * {@code application/vnd.amazon.eventstream} body, HTTP chunked, holding one {@code PayloadChunk}
 * event per chunk the function streams (a function that does not stream: its whole payload as one)
 * and a last {@code InvokeComplete} event with {@code ErrorCode} and {@code ErrorDetails} when the
 * function failed, and {@code LogResult} when the caller asked for the log tail.
 */
final class EventStreamResponse implements ResponseStream.Subscriber {
  static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChannelHandlerContext ctx;
  private final boolean keepAlive;
  private final Executor blocking;
  private final Supplier<String> logResult;
  private ResponseStream stream;

  /** @param logResult the invocation's log tail for {@code LogResult} (read on {@code blocking}); null when not asked for */
  EventStreamResponse(ChannelHandlerContext ctx, boolean keepAlive, Executor blocking, Supplier<String> logResult) {
    this.ctx = ctx;
    this.keepAlive = keepAlive;
    this.blocking = blocking;
    this.logResult = logResult;
  }

  /**
   * Sends the {@code 200} head; the events follow.
   *
   * @param executedVersion {@code $LATEST}, or the version a qualified call ran
   * @param revision the revision that ran ({@code X-Pilotlight-Revision}); 0 when none did
   */
  void head(String requestId, String executedVersion, long revision) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
        .set("x-amzn-RequestId", requestId)
        .set("X-Amz-Executed-Version", executedVersion)
        .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    if (revision > 0) {
      head.headers().set(FunctionInvoker.REVISION_HEADER, Long.toString(revision));
    }
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head);
  }

  /** Relays {@code s} as it comes. */
  void relay(ResponseStream s) {
    this.stream = s;
    s.subscribe(this);
  }

  @Override
  public void chunk(byte[] bytes) {
    byte[] event = EventStreamMessages.event("PayloadChunk", "application/octet-stream", bytes);
    if (!ctx.channel().isActive()) {
      stream.resume(); // the caller is gone: let the function finish, dropping what it sends
      return;
    }
    ChannelFuture f = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(event)));
    if (stream != null && !ctx.channel().isWritable()) {
      stream.pause();
      f.addListener(done -> stream.resume());
    }
  }

  @Override
  public void end(String errorType, byte[] errorJson) {
    complete(errorType, errorType == null ? null : errorMessage(errorJson));
  }

  /** Sends {@code InvokeComplete} (with the log tail when asked, read off the event loop) and ends the body. */
  void complete(String errorCode, String errorDetails) {
    if (logResult == null) {
      sendComplete(errorCode, errorDetails, null);
      return;
    }
    BlockingWork.submit(blocking, () -> {
      String tail;
      try {
        tail = logResult.get();
      } catch (RuntimeException unreadable) {
        tail = null; // the answer matters more than its log
      }
      sendComplete(errorCode, errorDetails, tail);
    }, busy -> sendComplete(errorCode, errorDetails, null));
  }

  private void sendComplete(String errorCode, String errorDetails, String tail) {
    Map<String, String> doc = new LinkedHashMap<>();
    if (errorCode != null) {
      doc.put("ErrorCode", errorCode);
      doc.put("ErrorDetails", errorDetails == null ? "" : errorDetails);
    }
    if (tail != null) {
      doc.put("LogResult", tail);
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    byte[] event = EventStreamMessages.event("InvokeComplete", "application/json", json);
    ChannelFuture f = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(event)));
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The {@code errorMessage} of a Lambda error document, else the document as text. */
  static String errorMessage(byte[] errorJson) {
    if (errorJson == null) {
      return "";
    }
    try {
      JsonNode node = JSON.readTree(errorJson);
      if (node != null && node.hasNonNull("errorMessage")) {
        return node.get("errorMessage").asText();
      }
    } catch (IOException notJson) {
      // fall through: the bytes as they are
    }
    return new String(errorJson, StandardCharsets.UTF_8);
  }
}
