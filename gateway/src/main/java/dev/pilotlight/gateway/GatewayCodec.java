package dev.pilotlight.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's HTTP/1.1 server codec with one rule stricter: a request with both {@code Content-Length}
 * and {@code Transfer-Encoding} is refused (RFC 9112 §6.3: a server may reject it, and must close
 * the connection after it). Netty's own codec drops the {@code Content-Length} and goes on, which
 * lets a front proxy that reads the other header smuggle a second request in the body. The refused
 * request reaches the router marked as a decoding failure (400, connection closed), and the decoder
 * reads nothing more of that connection. As in {@code HttpServerCodec}, the encoder knows which
 * request each answer is for, so an answer to {@code HEAD} has no body.
 */
final class GatewayCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
  /** The methods of the requests not yet answered, oldest first (answers go in request order: InOrderRequests). */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  GatewayCodec() {
    init(new Decoder(new HttpDecoderConfig()), new Encoder());
  }

  private final class Decoder extends HttpRequestDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest r) {
          methods.add(r.method());
          RequestTargets.normalize(r);
        }
      }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("both " + HttpHeaderNames.CONTENT_LENGTH + " and " + HttpHeaderNames.TRANSFER_ENCODING
          + " (RFC 9112 section 6.3: refused; send one)");
    }
  }

  private final class Encoder extends HttpResponseEncoder {
    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      // An interim answer (100 Continue) is not the answer to its request.
      HttpMethod method = msg.status().codeClass() != HttpStatusClass.INFORMATIONAL ? methods.poll() : null;
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
