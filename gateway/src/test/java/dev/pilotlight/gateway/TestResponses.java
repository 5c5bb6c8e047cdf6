package dev.pilotlight.gateway;

import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;

/** Reading responses written to an EmbeddedChannel. */
final class TestResponses {
  private TestResponses() {}

  /** The body as UTF-8 text; releases the response. */
  static String body(FullHttpResponse res) {
    try {
      return res.content().toString(StandardCharsets.UTF_8);
    } finally {
      res.release();
    }
  }
}
