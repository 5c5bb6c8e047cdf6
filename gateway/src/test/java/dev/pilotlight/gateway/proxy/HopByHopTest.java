package dev.pilotlight.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Which headers the proxy passes on: none meant for one connection (RFC 9110 §7.6.1), in any case. */
class HopByHopTest {
  @Test
  void theHopByHopHeadersInAnyCaseAndNoOthers() {
    for (String name : new String[] {"Connection", "keep-alive", "Proxy-Connection", "proxy-authenticate", "PROXY-AUTHORIZATION", "TE",
        "Trailer", "transfer-encoding", "Upgrade"}) {
      assertThat(HttpProxy.isHopByHop(name)).as(name).isTrue();
    }
    for (String name : new String[] {"Content-Length", "Host", "tx", "Trailers", "Upgraded", "X-Connection", "Authorization", ""}) {
      assertThat(HttpProxy.isHopByHop(name)).as(name).isFalse();
    }
  }

  @Test
  void headersTheConnectionHeaderNamesStayBehindToo() {
    HttpHeaders from = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Hop").add("X-Hop", "1").add("x-end", "2")
        .add("Transfer-Encoding", "chunked").add("Content-Type", "text/plain");
    HttpHeaders to = new DefaultHttpHeaders();
    HttpProxy.copyEndToEnd(from, to);
    assertThat(to.names()).containsExactlyInAnyOrder("x-end", "Content-Type");
    HttpHeaders plain = new DefaultHttpHeaders().add("X-Hop", "1");
    HttpHeaders out = new DefaultHttpHeaders();
    HttpProxy.copyEndToEnd(plain, out);
    assertThat(out.names()).containsExactly("X-Hop");
  }
}
