package dev.pilotlight.gateway.lambda;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.gateway.proxy.Forwarded;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the API Gateway HTTP API v2 event (payload format 2.0, as Lambda function URLs send it)
 * for a request, and turns a function's answer back into an HTTP response, following AWS's rules:
 * an object with {@code statusCode} is a response description; anything else is a 200 JSON body.
 */
public final class HttpEvents {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

  private HttpEvents() {}

  private static final ThreadLocal<ByteArrayBuilder> BUILDER = ThreadLocal.withInitial(() -> new ByteArrayBuilder(4096));

  /**
   * Who called, as the gateway saw it: the client's address, the scheme ({@code http} or
   * {@code https}) and the gateway's port it came to (0: unknown).
   */
  public record Caller(String sourceIp, String scheme, int port) {}

  /**
   * The function URL event for {@code req}.
   *
   * @param rawPath the path as the function should see it (after {@code /fn/{name}})
   * @param rawQuery the query string without {@code ?}, possibly empty
   */
  public static byte[] toEvent(FullHttpRequest req, String rawPath, String rawQuery, String requestId, String functionName, Caller caller, Instant now) {
    String sourceIp = caller.sourceIp();
    // Written straight to bytes (no tree of nodes): this runs for every function URL call.
    List<String> cookies = new ArrayList<>();
    Map<String, String> merged = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : req.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals("cookie")) {
        for (String c : h.getValue().split(";")) {
          if (!c.isBlank()) {
            cookies.add(c.trim());
          }
        }
        continue;
      }
      merged.merge(name, h.getValue(), (a, b) -> a + "," + b);
    }
    // As a function URL's front end adds them: the client's address after the chain it sent, and the
    // scheme and port it came to (a client's own are replaced)
    merged.put("x-forwarded-for", Forwarded.forwardedFor(merged.get("x-forwarded-for"), sourceIp));
    merged.put("x-forwarded-proto", caller.scheme());
    if (caller.port() > 0) {
      merged.put("x-forwarded-port", Integer.toString(caller.port()));
    } else {
      merged.remove("x-forwarded-port");
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    // The thread's own builder, its first 4 KB block kept from call to call: a typical event needs no new block.
    ByteArrayBuilder out = BUILDER.get();
    out.reset();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("version", "2.0");
      g.writeStringField("routeKey", "$default");
      g.writeStringField("rawPath", rawPath);
      g.writeStringField("rawQueryString", rawQuery);
      g.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> h : merged.entrySet()) {
        g.writeStringField(h.getKey(), h.getValue());
      }
      g.writeEndObject();
      if (!cookies.isEmpty()) {
        g.writeArrayFieldStart("cookies");
        for (String c : cookies) {
          g.writeString(c);
        }
        g.writeEndArray();
      }
      if (!rawQuery.isEmpty()) {
        g.writeObjectFieldStart("queryStringParameters");
        for (Map.Entry<String, List<String>> p : new QueryStringDecoder(rawQuery, false).parameters().entrySet()) {
          g.writeStringField(p.getKey(), String.join(",", p.getValue()));
        }
        g.writeEndObject();
      }
      g.writeObjectFieldStart("requestContext");
      g.writeStringField("accountId", "anonymous");
      g.writeStringField("apiId", functionName);
      String host = req.headers().get(HttpHeaderNames.HOST, "localhost");
      g.writeStringField("domainName", host);
      g.writeStringField("domainPrefix", host.contains(".") ? host.substring(0, host.indexOf('.')) : host);
      g.writeObjectFieldStart("http");
      g.writeStringField("method", req.method().name());
      g.writeStringField("path", rawPath);
      g.writeStringField("protocol", req.protocolVersion().text());
      g.writeStringField("sourceIp", sourceIp);
      g.writeStringField("userAgent", req.headers().get(HttpHeaderNames.USER_AGENT, ""));
      g.writeEndObject();
      g.writeStringField("requestId", requestId);
      g.writeStringField("routeKey", "$default");
      g.writeStringField("stage", "$default");
      g.writeStringField("time", requestTime(now));
      g.writeNumberField("timeEpoch", now.toEpochMilli());
      g.writeEndObject();
      if (body.length > 0) {
        boolean text = isText(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
        g.writeStringField("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
        g.writeBooleanField("isBase64Encoded", !text);
      } else {
        g.writeBooleanField("isBase64Encoded", false);
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
    byte[] event = out.toByteArray();
    if (event.length > 64 * 1024) { // a large body's block is not kept past this call
      BUILDER.set(new ByteArrayBuilder(4096));
    }
    return event;
  }

  /**
   * {@code requestContext.time} ({@code dd/MMM/yyyy:HH:mm:ss +0000}, UTC): whole seconds, so formatted
   * once a second and shared by every event in it. Written out by hand rather than by a
   * {@code DateTimeFormatter}: the first call of a new second is often a cold start's, when the
   * formatter's many small methods still run in the interpreter (~0.1 ms; this takes a few µs).
   */
  static String requestTime(Instant now) {
    FormattedSecond last = lastRequestTime;
    if (last.epochSecond != now.getEpochSecond()) {
      last = new FormattedSecond(now.getEpochSecond(), formatRequestTime(now.getEpochSecond()));
      lastRequestTime = last;
    }
    return last.text;
  }

  static String formatRequestTime(long epochSecond) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(26);
    twoDigits(b, t.getDayOfMonth()).append('/').append(MONTHS[t.getMonthValue() - 1]).append('/').append(t.getYear()).append(':');
    twoDigits(b, t.getHour()).append(':');
    twoDigits(b, t.getMinute()).append(':');
    return twoDigits(b, t.getSecond()).append(" +0000").toString();
  }

  private static StringBuilder twoDigits(StringBuilder b, int n) {
    return b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }

  private record FormattedSecond(long epochSecond, String text) {}

  private static volatile FormattedSecond lastRequestTime = new FormattedSecond(Long.MIN_VALUE, "");

  private static boolean isText(String contentType) {
    if (contentType == null) {
      return true;
    }
    String ct = contentType.toLowerCase(Locale.ROOT);
    return ct.startsWith("text/") || ct.contains("json") || ct.contains("xml") || ct.contains("x-www-form-urlencoded")
        || ct.contains("javascript") || ct.contains("yaml");
  }

  /** A response whose body is whole: no trailers, so none are made (a headers object less on every call). */
  private static FullHttpResponse full(HttpResponseStatus status, ByteBuf content) {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, DefaultHttpHeadersFactory.headersFactory().newHeaders(),
        EmptyHttpHeaders.INSTANCE);
  }

  /** The HTTP response a function's successful answer describes. */
  public static FullHttpResponse toResponse(byte[] payload) {
    JsonNode node;
    try {
      node = JSON.readTree(payload);
    } catch (IOException notJson) {
      node = null;
    }
    if (node == null || !node.isObject() || !node.has("statusCode")) {
      FullHttpResponse res = full(HttpResponseStatus.OK, Unpooled.wrappedBuffer(payload));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      return res;
    }
    int status = node.path("statusCode").asInt(200);
    if (status < 100 || status > 599) {
      status = 502;
    }
    JsonNode bodyNode = node.get("body");
    byte[] body;
    if (bodyNode == null || bodyNode.isNull()) {
      body = new byte[0];
    } else if (bodyNode.isTextual()) {
      body = node.path("isBase64Encoded").asBoolean(false)
          ? Base64.getDecoder().decode(bodyNode.asText())
          : bodyNode.asText().getBytes(StandardCharsets.UTF_8);
    } else {
      body = bodyNode.toString().getBytes(StandardCharsets.UTF_8);
    }
    FullHttpResponse res = full(HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    node.path("headers").properties().forEach(h -> res.headers().set(h.getKey(), h.getValue().asText()));
    node.path("multiValueHeaders").properties().forEach(h -> h.getValue().forEach(v -> res.headers().add(h.getKey(), v.asText())));
    node.path("cookies").forEach(c -> res.headers().add(HttpHeaderNames.SET_COOKIE, c.asText()));
    if (!res.headers().contains(HttpHeaderNames.CONTENT_TYPE) && body.length > 0) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
    return res;
  }
}
