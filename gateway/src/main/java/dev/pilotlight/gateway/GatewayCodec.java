package dev.pilotlight.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Netty's HTTP/1.1 server codec with the rules of RFC 9112 it leaves to its users. Each of these
 * requests reaches the router marked as a decoding failure, answered and its connection closed, and
 * the decoder reads nothing more of that connection:
 *
 * <ul>
 *   <li>both {@code Content-Length} and {@code Transfer-Encoding} (§6.3: a server may reject it, and
 *       must close the connection after it). Netty's own codec drops the {@code Content-Length} and
 *       goes on, which lets a front proxy that reads the other header smuggle a second request in
 *       the body: 400;
 *   <li>a {@code Transfer-Encoding} whose last coding is not {@code chunked} (§6.3: the body's length
 *       cannot be known; Netty would read it by {@code Content-Length} or as empty), or any in an
 *       HTTP/1.0 request (§6.1): 400 ({@link BadFraming});
 *   <li>codings before the final {@code chunked} ({@code gzip, chunked}), which the daemon does not
 *       undo (§6.1): 501 ({@link UnknownCoding});
 *   <li>an HTTP/1.1 request without exactly one {@code Host}, or any request with more than one or
 *       with a value that is no host (§3.2): 400 ({@link BadHost});
 *   <li>a version other than HTTP/1.x (HTTP/2 and 3 have their own framing): 505
 *       ({@link UnsupportedVersion}).
 * </ul>
 *
 * As in {@code HttpServerCodec}, the encoder knows which request each answer is for, so an answer
 * to {@code HEAD} has no body.
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

    /**
     * Called by Netty's decoder for every message once its headers are read, before it decides how
     * to read the body: where the checks above run, so a refused request's body is never read.
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      check(msg);
      return super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("both " + HttpHeaderNames.CONTENT_LENGTH + " and " + HttpHeaderNames.TRANSFER_ENCODING
          + " (RFC 9112 section 6.3: refused; send one)");
    }
  }

  /** Throws if {@code msg} breaks one of the rules in this class's description. */
  static void check(HttpMessage msg) {
    HttpVersion version = msg.protocolVersion();
    if (version.majorVersion() != 1) {
      throw new UnsupportedVersion(version.text() + " is not spoken on this port (HTTP/1.0 and HTTP/1.1 are; HTTP/2 by h2c or TLS)");
    }
    HttpHeaders headers = msg.headers();
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.isEmpty() && version.minorVersion() >= 1)) {
      throw new BadHost("an HTTP/1.1 request needs one " + HttpHeaderNames.HOST + " header (RFC 9112 section 3.2); this one has "
          + hosts.size());
    }
    if (hosts.size() == 1 && !isHost(hosts.get(0))) {
      throw new BadHost("the " + HttpHeaderNames.HOST + " header is no host[:port] (RFC 9112 section 3.2)");
    }
    if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return; // most requests: no list made
    }
    List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (version.minorVersion() == 0) {
      throw new BadFraming(HttpHeaderNames.TRANSFER_ENCODING + " in an HTTP/1.0 request (RFC 9112 section 6.1: its framing cannot be trusted)");
    }
    List<String> codings = new ArrayList<>(2);
    for (String value : te) {
      for (String coding : value.split(",", -1)) {
        int params = coding.indexOf(';');
        codings.add((params < 0 ? coding : coding.substring(0, params)).trim().toLowerCase(Locale.ROOT));
      }
    }
    if (!codings.getLast().equals("chunked")) {
      throw new BadFraming(HttpHeaderNames.TRANSFER_ENCODING + " " + String.join(", ", te)
          + " does not end in chunked, so the body's length cannot be known (RFC 9112 section 6.3)");
    }
    if (codings.size() > 1) {
      throw new UnknownCoding("only the chunked transfer coding is taken, not " + String.join(", ", te) + " (RFC 9112 section 6.1)");
    }
  }

  /** {@code host[:port]}: a name or IPv4 address, or an IPv6 literal in brackets (RFC 3986 §3.2.2), with no user info or path. */
  static boolean isHost(String value) {
    if (value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~%!$&'()*+,;=:[]".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A request whose body cannot be framed as it says: 400. */
  static final class BadFraming extends IllegalArgumentException {
    BadFraming(String message) {
      super(message);
    }
  }

  /** A request without its one {@code Host}: 400. */
  static final class BadHost extends IllegalArgumentException {
    BadHost(String message) {
      super(message);
    }
  }

  /** A transfer coding the daemon does not undo: 501. */
  static final class UnknownCoding extends IllegalArgumentException {
    UnknownCoding(String message) {
      super(message);
    }
  }

  /** An HTTP version other than 1.x: 505. */
  static final class UnsupportedVersion extends IllegalArgumentException {
    UnsupportedVersion(String message) {
      super(message);
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
