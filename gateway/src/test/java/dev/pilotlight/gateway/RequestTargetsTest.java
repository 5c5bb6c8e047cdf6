package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestTargetsTest {
  /** A target as Netty's decoders hand it over: each byte of {@code utf8} one character. */
  private static String asDecoded(String utf8) {
    return new String(utf8.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void anAsciiTargetIsTheSameInstance() {
    String target = "/a/b?x=%C3%A9&y=1";
    assertThat(RequestTargets.percentEncodeNonAscii(target)).isSameAs(target);
  }

  @Test
  void rawNonAsciiBytesArePercentEncodedSoTheAppGetsTheBytesTheClientSent() {
    String sent = "/caf\u00e9/\u2713?q=\u00e9\u2713&z=1";
    String safe = RequestTargets.percentEncodeNonAscii(asDecoded(sent));
    assertThat(safe).isEqualTo("/caf%C3%A9/%E2%9C%93?q=%C3%A9%E2%9C%93&z=1");
    assertThat(URI.create(safe).getPath()).isEqualTo("/caf\u00e9/\u2713");
    assertThat(URLDecoder.decode(safe.substring(safe.indexOf("q=") + 2, safe.indexOf('&')), StandardCharsets.UTF_8)).isEqualTo("\u00e9\u2713");
  }

  @Test
  void aByteThatIsNotUtf8GoesOnAsItsByte() {
    assertThat(RequestTargets.percentEncodeNonAscii("/x\u00ff")).isEqualTo("/x%FF");
  }
}
