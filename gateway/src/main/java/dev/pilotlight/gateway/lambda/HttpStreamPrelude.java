package dev.pilotlight.gateway.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads the prelude a function writes first in a streamed function URL response (what
 * {@code awslambda.HttpResponseStream.from} writes, with the stream's content type
 * {@value #CONTENT_TYPE}): a JSON object {@code {statusCode, headers, cookies}}, then 8 NUL bytes,
 * then the body. JSON text holds no NUL byte, so the first eight in a row end the prelude.
 */
public final class HttpStreamPrelude {
  /** The stream content type that says a prelude comes first. */
  public static final String CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
  /** A prelude longer than this is refused (it is headers, not a body). */
  public static final int MAX_BYTES = 64 * 1024;
  private static final int DELIMITER = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private byte[] rest;

  /**
   * Feeds the next bytes of the stream. Returns null while the prelude is incomplete, else the
   * response head it describes (status 200 when it names none), with {@link #rest()} the body
   * bytes that followed it in {@code chunk}.
   *
   * @throws IllegalArgumentException if the prelude is over {@link #MAX_BYTES} or not a JSON object
   */
  public HttpResponse offer(byte[] chunk) {
    int from = Math.max(0, seen.size() - (DELIMITER - 1));
    seen.writeBytes(chunk);
    byte[] all = seen.toByteArray();
    int end = delimiter(all, from);
    if (end < 0) {
      if (all.length > MAX_BYTES) {
        throw new IllegalArgumentException("the response stream's prelude is over " + MAX_BYTES + " bytes without its 8-NUL delimiter");
      }
      return null;
    }
    rest = Arrays.copyOfRange(all, end + DELIMITER, all.length);
    return head(Arrays.copyOf(all, end));
  }

  /** The body bytes read with the end of the prelude (empty when none). */
  public byte[] rest() {
    return rest;
  }

  /** Whether any byte has been offered. */
  public boolean started() {
    return seen.size() > 0;
  }

  private static int delimiter(byte[] b, int from) {
    int run = 0;
    for (int i = from; i < b.length; i++) {
      run = b[i] == 0 ? run + 1 : 0;
      if (run == DELIMITER) {
        return i - DELIMITER + 1;
      }
    }
    return -1;
  }

  private static HttpResponse head(byte[] json) {
    JsonNode node;
    try {
      node = json.length == 0 ? JSON.createObjectNode() : JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("the response stream's prelude is not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("the response stream's prelude is not a JSON object");
    }
    int status = node.path("statusCode").asInt(200);
    if (status < 100 || status > 599) {
      status = 502;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    node.path("headers").properties().forEach(h -> head.headers().set(h.getKey(), h.getValue().asText()));
    node.path("multiValueHeaders").properties().forEach(h -> h.getValue().forEach(v -> head.headers().add(h.getKey(), v.asText())));
    node.path("cookies").forEach(c -> head.headers().add(HttpHeaderNames.SET_COOKIE, c.asText()));
    head.headers().remove(HttpHeaderNames.CONTENT_LENGTH).remove(HttpHeaderNames.TRANSFER_ENCODING).remove(HttpHeaderNames.CONNECTION);
    return head;
  }
}
