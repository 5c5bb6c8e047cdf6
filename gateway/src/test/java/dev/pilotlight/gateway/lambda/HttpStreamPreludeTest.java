package dev.pilotlight.gateway.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The prelude of a streamed function URL response, as awslambda.HttpResponseStream.from writes it. */
class HttpStreamPreludeTest {
  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void statusHeadersAndCookiesThenTheBodyAfterEightNuls() {
    HttpStreamPrelude p = new HttpStreamPrelude();
    assertThat(p.offer(bytes("{\"statusCode\":201,\"headers\":{\"X-A\":\"1\",\"Content-Length\":\"9\"},"))).isNull();
    assertThat(p.offer(bytes("\"cookies\":[\"a=1\",\"b=2\"]}\0\0\0"))).isNull(); // the delimiter may be split across chunks
    HttpResponse head = p.offer(bytes("\0\0\0\0\0body"));
    assertThat(head.status().code()).isEqualTo(201);
    assertThat(head.headers().get("X-A")).isEqualTo("1");
    assertThat(head.headers().getAll("Set-Cookie")).containsExactly("a=1", "b=2");
    assertThat(head.headers().contains("Content-Length")).isFalse();
    assertThat(new String(p.rest(), StandardCharsets.UTF_8)).isEqualTo("body");
  }

  @Test
  void anEmptyPreludeIsA200() {
    HttpStreamPrelude p = new HttpStreamPrelude();
    assertThat(p.offer(new byte[8]).status().code()).isEqualTo(200);
    assertThat(p.rest()).isEmpty();
  }

  @Test
  void aPreludeThatIsNotJsonIsRefused() {
    assertThatThrownBy(() -> new HttpStreamPrelude().offer(bytes("nope\0\0\0\0\0\0\0\0"))).isInstanceOf(IllegalArgumentException.class);
  }
}
