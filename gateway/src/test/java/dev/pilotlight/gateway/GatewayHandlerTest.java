package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Routing on the daemon's one port, in memory: which route gets a request, and with which path. */
class GatewayHandlerTest {
  /** One call to a route: which one, and the arguments it was given. */
  record Routed(String route, String function, String path, String query) {}

  final List<Routed> routed = new ArrayList<>();
  final List<FullHttpRequest> requests = new ArrayList<>();
  final EmbeddedChannel channel = new EmbeddedChannel(new GatewayHandler(
      (ctx, req, function, path, rawQuery) -> answer(ctx, req, new Routed("function", function, path, rawQuery)),
      (ctx, req, path, query) -> answer(ctx, req, new Routed("api", null, path, rawQuery(query))),
      (ctx, req, path, query) -> answer(ctx, req, new Routed("lambda", null, path, rawQuery(query))),
      () -> "# HELP up\nup 1\n", new OpenAdmission(), List.of("auth: on")));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  /** A route's stand-in: records the call, answers 204 and releases the request as a real route does. */
  private void answer(ChannelHandlerContext ctx, FullHttpRequest req, Routed call) {
    routed.add(call);
    requests.add(req);
    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
    req.release();
  }

  private static String rawQuery(QueryStringDecoder q) {
    String uri = q.uri();
    int i = uri.indexOf('?');
    return i < 0 ? "" : uri.substring(i + 1);
  }

  FullHttpResponse send(HttpMethod method, String uri, String host) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.buffer(0));
    if (host != null) {
      req.headers().set(HttpHeaderNames.HOST, host);
    }
    return send(req);
  }

  FullHttpResponse send(FullHttpRequest req) {
    channel.writeInbound(req);
    FullHttpResponse res = channel.readOutbound();
    assertThat(res).as("an answer to " + req.uri()).isNotNull();
    assertThat(req.refCnt()).as("the request is released").isZero();
    return res;
  }

  @Test
  void whileDrainingHealthzSaysSoAndEveryOtherRequestIsRefusedWithConnectionClose() {
    GatewayHandler handler = channel.pipeline().get(GatewayHandler.class);
    assertThat(send(HttpMethod.GET, "/healthz", null).status()).isEqualTo(HttpResponseStatus.OK);
    handler.drain();
    assertThat(handler.draining()).isTrue();

    FullHttpResponse health = send(HttpMethod.GET, "/healthz", null);
    assertThat(health.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(health.content().toString(StandardCharsets.UTF_8)).startsWith("draining: ").contains("auth: on");
    for (String uri : List.of("/fn/hello/", "/api/v1/functions", "/2015-03-31/functions/f/invocations", "/metrics")) {
      EmbeddedChannel connection = new EmbeddedChannel(handler); // each refusal closes its connection
      connection.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.buffer(0)));
      FullHttpResponse refused = connection.readOutbound();
      assertThat(refused.status()).as(uri).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
      assertThat(refused.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
      assertThat(refused.content().toString(StandardCharsets.UTF_8)).contains("Unavailable").contains("draining");
      assertThat(connection.isOpen()).isFalse();
      refused.release();
    }
    assertThat(routed).isEmpty();
  }

  @Test
  void functionUrlsGiveTheFunctionItsPathAndQuery() {
    send(HttpMethod.GET, "/fn/hello/a/b?name=Ann&x=1", "127.0.0.1:8080");
    send(HttpMethod.POST, "/fn/hello", null);
    send(HttpMethod.DELETE, "/fn/hello/", null);

    assertThat(routed).containsExactly(
        new Routed("function", "hello", "/a/b", "name=Ann&x=1"),
        new Routed("function", "hello", "/", ""),
        new Routed("function", "hello", "/", ""));
    assertThat(requests).extracting(FullHttpRequest::method).containsExactly(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE);
  }

  @Test
  void aFunctionHostGetsEveryPathWhateverItsPrefix() {
    send(HttpMethod.GET, "/orders/7?full=true", "shop.localhost:8080");
    send(HttpMethod.GET, "/api/v1/functions", "Shop.LocalHost");
    send(HttpMethod.GET, "/healthz", "my-app.localhost");

    assertThat(routed).containsExactly(
        new Routed("function", "shop", "/orders/7", "full=true"),
        new Routed("function", "shop", "/api/v1/functions", ""),
        new Routed("function", "my-app", "/healthz", ""));
  }

  @Test
  void hostsThatAreNotAFunctionsAreRoutedByPath() {
    send(HttpMethod.GET, "/api/v1/functions", "localhost:8080");
    send(HttpMethod.GET, "/api/v1/functions", "a.b.localhost");
    send(HttpMethod.GET, "/api/v1/functions", "-bad.localhost");

    assertThat(routed).extracting(Routed::route).containsExactly("api", "api", "api");
  }

  @Test
  void theNativeApiGetsThePathAfterItsPrefixAndTheQuery() {
    send(HttpMethod.PUT, "/api/v1/functions/hello", null);
    send(HttpMethod.GET, "/api/v1/functions/hello/logs?tail=5&follow=true", null);

    assertThat(routed).containsExactly(
        new Routed("api", null, "/functions/hello", ""),
        new Routed("api", null, "/functions/hello/logs", "tail=5&follow=true"));
  }

  @Test
  void theLambdaApiGetsThePathAfterItsPrefixAndTheQuery() {
    send(HttpMethod.POST, "/2015-03-31/functions/hello/invocations?Qualifier=%24LATEST", null);
    send(HttpMethod.GET, "/2015-03-31/functions/", null);

    assertThat(routed).containsExactly(
        new Routed("lambda", null, "/functions/hello/invocations", "Qualifier=%24LATEST"),
        new Routed("lambda", null, "/functions/", ""));
  }

  @Test
  void healthzAnswersOk() {
    FullHttpResponse res = send(HttpMethod.GET, "/healthz", "127.0.0.1:8080");

    assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain; charset=utf-8");
    assertThat(TestResponses.body(res)).isEqualTo("ok\nauth: on\n");
    assertThat(routed).isEmpty();
  }

  @Test
  void metricsAnswerTheScrapeInPrometheusTextFormat() {
    FullHttpResponse res = send(HttpMethod.GET, "/metrics", null);

    assertThat(res.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(TestResponses.body(res)).isEqualTo("# HELP up\nup 1\n");
  }

  @Test
  void unknownPathsAre404WithWhereThingsAre() {
    for (String uri : List.of("/", "/nope", "/api/v1", "/fn", "/2015-03-31", "/healthz/x", "/metricsx")) {
      FullHttpResponse res = send(HttpMethod.GET, uri, null);

      assertThat(res.status()).as(uri).isEqualTo(HttpResponseStatus.NOT_FOUND);
      assertThat(TestResponses.body(res)).as(uri).contains("\"error\":\"NotFound\"").contains("no route for " + uri);
    }
    assertThat(routed).isEmpty();
  }

  @Test
  void aMalformedRequestIs400AndReachesNoRoute() {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/fn/hello/", Unpooled.buffer(0));
    req.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("header too long")));

    FullHttpResponse res = send(req);

    assertThat(res.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    assertThat(TestResponses.body(res)).contains("malformed HTTP request: header too long");
    assertThat(routed).isEmpty();
  }
}
