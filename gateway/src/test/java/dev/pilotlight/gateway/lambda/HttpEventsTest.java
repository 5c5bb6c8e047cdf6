package dev.pilotlight.gateway.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class HttpEventsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void buildsAPayload2Event() throws Exception {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/fn/f/items/7?name=Ann&tag=a&tag=b",
        Unpooled.copiedBuffer("{\"x\":1}", StandardCharsets.UTF_8));
    req.headers().set("Host", "127.0.0.1:8080").set("Content-Type", "application/json").add("X-Multi", "1").add("X-Multi", "2")
        .set("Cookie", "a=1; b=2").set("X-Forwarded-For", "203.0.113.7").set("X-Forwarded-Proto", "gopher");
    JsonNode e = JSON.readTree(HttpEvents.toEvent(req, "/items/7", "name=Ann&tag=a&tag=b", "rid-1", "f",
        new HttpEvents.Caller("10.0.0.9", "https", 8443), Instant.parse("2026-11-21T10:00:00Z")));
    assertThat(e.path("version").asText()).isEqualTo("2.0");
    assertThat(e.path("rawPath").asText()).isEqualTo("/items/7");
    assertThat(e.path("rawQueryString").asText()).isEqualTo("name=Ann&tag=a&tag=b");
    assertThat(e.path("queryStringParameters").path("name").asText()).isEqualTo("Ann");
    assertThat(e.path("queryStringParameters").path("tag").asText()).isEqualTo("a,b");
    assertThat(e.path("headers").path("x-multi").asText()).isEqualTo("1,2");
    assertThat(e.path("headers").has("cookie")).isFalse();
    // as a function URL's front end adds them: the client after the chain it sent; the scheme and port it came to
    assertThat(e.path("headers").path("x-forwarded-for").asText()).isEqualTo("203.0.113.7, 10.0.0.9");
    assertThat(e.path("headers").path("x-forwarded-proto").asText()).isEqualTo("https");
    assertThat(e.path("headers").path("x-forwarded-port").asText()).isEqualTo("8443");
    assertThat(e.path("cookies")).hasSize(2);
    assertThat(e.path("requestContext").path("http").path("method").asText()).isEqualTo("POST");
    assertThat(e.path("requestContext").path("http").path("sourceIp").asText()).isEqualTo("10.0.0.9");
    assertThat(e.path("requestContext").path("requestId").asText()).isEqualTo("rid-1");
    assertThat(e.path("requestContext").path("timeEpoch").asLong()).isEqualTo(Instant.parse("2026-11-21T10:00:00Z").toEpochMilli());
    assertThat(e.path("body").asText()).isEqualTo("{\"x\":1}");
    assertThat(e.path("isBase64Encoded").asBoolean()).isFalse();
    req.release();
  }

  @Test
  void binaryBodiesAreBase64() throws Exception {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/", Unpooled.wrappedBuffer(new byte[] {0, 1, (byte) 255}));
    req.headers().set("Content-Type", "application/octet-stream");
    JsonNode e = JSON.readTree(HttpEvents.toEvent(req, "/", "", "r", "f", new HttpEvents.Caller("127.0.0.1", "http", 0), Instant.EPOCH));
    assertThat(e.path("isBase64Encoded").asBoolean()).isTrue();
    assertThat(e.path("body").asText()).isEqualTo("AAH/");
  }

  @Test
  void aStatusCodeObjectDescribesTheResponse() {
    FullHttpResponse r = HttpEvents.toResponse(("{\"statusCode\":201,\"headers\":{\"X-A\":\"b\"},\"cookies\":[\"s=1\"],"
        + "\"body\":\"aGk=\",\"isBase64Encoded\":true}").getBytes(StandardCharsets.UTF_8));
    assertThat(r.status().code()).isEqualTo(201);
    assertThat(r.headers().get("X-A")).isEqualTo("b");
    assertThat(r.headers().get("Set-Cookie")).isEqualTo("s=1");
    assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("hi");
  }

  @Test
  void anyOtherJsonIs200ApplicationJson() {
    FullHttpResponse r = HttpEvents.toResponse("{\"message\":\"Hello\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"Hello\"}");
    assertThat(HttpEvents.toResponse("\"just a string\"".getBytes(StandardCharsets.UTF_8)).status().code()).isEqualTo(200);
  }

  @Test
  void theRequestTimeIsWhatTheApiGatewayFormatGivesForEverySecondOfTheYearsAround() {
    DateTimeFormatter apiGateway = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    // every 7,919 s (a prime: every hour, minute and second of the day comes up) from 1970 to 2100, leap days included
    for (long s = 0; s < 4_102_444_800L; s += 7_919) {
      assertThat(HttpEvents.formatRequestTime(s)).isEqualTo(apiGateway.format(Instant.ofEpochSecond(s)));
    }
    assertThat(HttpEvents.formatRequestTime(1_709_164_799L)).isEqualTo("28/Feb/2024:23:59:59 +0000");
    assertThat(HttpEvents.formatRequestTime(1_709_164_800L)).isEqualTo("29/Feb/2024:00:00:00 +0000");
    assertThat(HttpEvents.requestTime(Instant.ofEpochSecond(1_709_164_800L, 999_999_999))).isEqualTo("29/Feb/2024:00:00:00 +0000");
  }
}
