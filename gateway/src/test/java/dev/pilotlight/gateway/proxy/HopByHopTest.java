package dev.pilotlight.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Which headers the proxy passes on: none meant for one connection (RFC 9110 §7.6.1), in any case. */
class HopByHopTest {
  @Test
  void theHopByHopHeadersInAnyCaseAndNoOthers() {
    HttpHeaders h = new DefaultHttpHeaders();
    for (String name : new String[] {"keep-alive", "Proxy-Connection", "proxy-authenticate", "PROXY-AUTHORIZATION", "TE", "Trailer",
        "transfer-encoding", "Upgrade", "Content-Length", "Host", "tx", "Trailers", "Upgraded", "X-Connection", "Authorization"}) {
      h.add(name, "1");
    }
    HttpProxy.removeHopByHop(h);
    assertThat(h.names()).containsExactlyInAnyOrder("Content-Length", "Host", "tx", "Trailers", "Upgraded", "X-Connection", "Authorization");
  }

  @Test
  void headersTheConnectionHeaderNamesStayBehindTooByTheirWholeNames() {
    HttpHeaders h = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Hop").add("connection", "x-other ,, ").add("x-hop", "1")
        .add("X-Other", "3").add("x-end", "2").add("Transfer-Encoding", "chunked").add("Content-Type", "text/plain")
        .add("Alive", "a word of a token, not a token: stays").add("X", "stays");
    HttpProxy.removeHopByHop(h);
    assertThat(h.names()).containsExactlyInAnyOrder("x-end", "Content-Type", "Alive", "X");
    HttpHeaders plain = new DefaultHttpHeaders().add("X-Hop", "1");
    HttpProxy.removeHopByHop(plain);
    assertThat(plain.names()).containsExactly("X-Hop");
  }
}
