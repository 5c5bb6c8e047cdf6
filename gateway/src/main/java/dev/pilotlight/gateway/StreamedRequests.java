package dev.pilotlight.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Takes the HTTP/1.1 requests whose body streams (function URL calls to {@code http} apps, see
 * {@link GatewayHandler#stream}) out of the way to the aggregator: their head is served at once and
 * each part of their body goes on as it comes. Every other request passes on to be aggregated
 * whole, within the size limit, unless its head alone already earns a refusal
 * ({@link GatewayHandler#refusalBeforeBody}: no credentials where they are needed), which is sent
 * at once, without reading the body, and closes the connection. Sits after {@link InOrderRequests}, so a streamed request starts
 * only once the answers before it are out, and the next one waits until its answer is out.
 */
final class StreamedRequests extends ChannelInboundHandlerAdapter {
  private final GatewayHandler router;
  private GatewayHandler.BodySink current; // the streamed request whose body is still arriving
  private boolean dropping; // the parts of a request refused on its head, until its last
  private long bodyLeft = Long.MAX_VALUE; // what an aggregated chunked body may still bring (GatewayHandler#chunkedBodyLimit)
  private long bodyLimit;

  StreamedRequests(GatewayHandler router) {
    this.router = router;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (dropping && msg instanceof HttpContent part) {
      dropping = !(part instanceof LastHttpContent);
      part.release();
      return;
    }
    if (bodyLeft != Long.MAX_VALUE && msg instanceof HttpContent part) {
      int size = part.content().readableBytes();
      if (part instanceof LastHttpContent) {
        bodyLeft = Long.MAX_VALUE;
      } else if (size > bodyLeft) {
        // Over its route's limit: the aggregator ends the request here as failed (413, the connection
        // closed after it), and the rest of the body is dropped as it comes.
        bodyLeft = Long.MAX_VALUE;
        dropping = true;
        part.release();
        LastHttpContent end = new DefaultLastHttpContent();
        end.setDecoderResult(DecoderResult.failure(new GatewayHandler.BodyOverLimit(bodyLimit)));
        ctx.fireChannelRead(end);
        return;
      } else {
        bodyLeft -= size;
      }
    }
    if (current != null && msg instanceof HttpContent part) {
      GatewayHandler.BodySink sink = current;
      if (part instanceof LastHttpContent) {
        current = null;
      }
      sink.part(part);
      return;
    }
    if (msg instanceof HttpRequest head) {
      // a new request ends the last one's body (an aggregator that refused it may have reset the decoder)
      abandonCurrent();
      dropping = false;
      bodyLeft = Long.MAX_VALUE;
      if (!(head instanceof FullHttpRequest) && head.decoderResult().isSuccess()) {
        current = router.stream(ctx, head);
        if (current != null) {
          return;
        }
        FullHttpResponse refusal = router.refusalBeforeBody(head);
        if (refusal != null) {
          // Answered without reading the body, which is dropped as it comes. An HTTP/1.1 connection
          // cannot go on after that: it closes after the answer (lingering). An HTTP/2 stream just
          // ends with the answer; cancelling it would make the client drop the answer too.
          dropping = true;
          Responses.sendOnLoop(ctx, ctx.channel() instanceof Http2StreamChannel, refusal);
          return;
        }
        if (HttpUtil.isTransferEncodingChunked(head) || ctx.channel() instanceof Http2StreamChannel && !HttpUtil.isContentLengthSet(head)) {
          bodyLimit = router.chunkedBodyLimit(head);
          bodyLeft = bodyLimit;
        }
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    abandonCurrent();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    abandonCurrent();
  }

  private void abandonCurrent() {
    if (current != null) {
      GatewayHandler.BodySink sink = current;
      current = null;
      sink.clientClosed();
    }
  }
}
