package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Function URL targets: the name, the qualifier after {@code @}, and which ones are well formed. */
class FunctionRouteTest {
  static FunctionRoute route(String uri) {
    return FunctionRoute.of(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri)).orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({
      "/fn/hello/a?b=1,      hello,      true",
      "/fn/hello@3/,         hello:3,    true",
      "/fn/hello@$LATEST/,   hello:$LATEST, true",
      "/fn/hello@canary,     hello:canary, true",
      "/fn/hello:3/,         hello:3,    false",   // a colon is no qualifier here: never past the URL auth
      "/fn/Hello/,           Hello,      false",
      "/fn/-hello/,          -hello,     false",
      "/fn//,                '',         false",
      "/fn/hello@/,          hello:,     false",
      "/fn/hello@a%2F../,    hello:a%2F.., false",
  })
  void namesAndQualifiers(String uri, String target, boolean valid) {
    FunctionRoute r = route(uri);
    assertThat(r.target()).isEqualTo(target);
    assertThat(r.valid()).isEqualTo(valid);
  }

  @ParameterizedTest
  @CsvSource({
      "hello.localhost:8080,  /x,     hello",
      "Hello.LOCALHOST,       /x,     hello",
      "127.0.0.1:8080,        /fn/a/, a",
      "localhost:8080,        /fn/a/, a",
      "a.b.localhost,         /fn/a/, a",
      "hello.localhost.evil,  /fn/a/, a",
      "hello.localhostx,      /fn/a/, a",
  })
  void aHostNamedForAFunctionRoutesToIt(String host, String uri, String target) {
    var req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    req.headers().set("Host", host);
    assertThat(FunctionRoute.of(req).orElseThrow().target()).isEqualTo(target);
  }
}
