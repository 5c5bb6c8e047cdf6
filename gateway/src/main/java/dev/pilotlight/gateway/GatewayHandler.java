package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Routes every request on the daemon's one port: {@code {name}.localhost} and {@code /fn/{name}/…}
 * to the function, {@code /api/v1/…} to the control API, {@code /2015-03-31/…} to the Lambda API,
 * plus {@code /healthz} and {@code /metrics}. It decides only where a request goes; what serves it
 * is handed in (composed in the server's wiring), and takes ownership of the request.
 */
@ChannelHandler.Sharable
public final class GatewayHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /**
   * Serves a function URL call: {@code path} and {@code rawQuery} (without {@code ?}) are what the
   * function sees; {@code target} is the function's name, or {@code NAME:QUALIFIER} for a call to
   * one revision ({@code /fn/NAME@QUALIFIER/}).
   */
  @FunctionalInterface
  public interface FunctionUrls {
    void serve(ChannelHandlerContext ctx, FullHttpRequest req, String target, String path, String rawQuery);
  }

  /** Serves an API: {@code path} is what follows the API's prefix. */
  @FunctionalInterface
  public interface Api {
    void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path, QueryStringDecoder query);
  }

  /**
   * Decides whether a request may reach what it asks for, from memory only (it runs on the event
   * loop): empty lets it through, else the answer that refuses it.
   */
  public interface Admission {
    Optional<FullHttpResponse> controlApi(FullHttpRequest req, String path);

    Optional<FullHttpResponse> lambdaApi(FullHttpRequest req, String path);

    Optional<FullHttpResponse> metrics(FullHttpRequest req);

    /**
     * {@code req} is a {@link FullHttpRequest} unless its body is streamed, which it is only for a
     * function whose URL auth reads the head alone ({@link StreamedUrls#streams}).
     */
    Optional<FullHttpResponse> functionUrl(HttpRequest req, String function);

    /**
     * Before the body of a control API request ({@code path} after {@code /api/v1}) is read: the
     * refusal its head alone already earns (no or a wrong token), so the daemon never holds the
     * body of a caller it would refuse. Empty lets the body be read; the full check follows.
     */
    default Optional<FullHttpResponse> controlApiHead(HttpRequest head, String path) {
      return Optional.empty();
    }

    /** The same for the Lambda API ({@code path} after its date prefix for {@code /2015-03-31}, else whole): all but the signature. */
    default Optional<FullHttpResponse> lambdaApiHead(HttpRequest head, String path) {
      return Optional.empty();
    }

    /** The same for a call of {@code function}'s URL whose body is aggregated. */
    default Optional<FullHttpResponse> functionUrlHead(HttpRequest head, String function) {
      return Optional.empty();
    }
  }

  /**
   * Serves function URL calls whose body goes on to the function as it arrives instead of being
   * aggregated first (HTTP/1.1 calls to {@code http} apps).
   */
  public interface StreamedUrls {
    /** Nothing streams: every call is aggregated. */
    StreamedUrls NONE = new StreamedUrls() {
      @Override
      public boolean streams(String function) {
        return false;
      }

      @Override
      public BodySink serve(ChannelHandlerContext ctx, HttpRequest head, String function, String path, String rawQuery) {
        throw new IllegalStateException("nothing streams");
      }
    };

    /**
     * Whether calls to {@code function}'s URL stream their body: an {@code http} app whose URL auth
     * reads the head alone (an {@code aws_iam} signature covers the body, so those calls are aggregated).
     */
    boolean streams(String function);

    /** Serves the call {@code head} begins; the parts of its body follow through the sink returned. */
    BodySink serve(ChannelHandlerContext ctx, HttpRequest head, String function, String path, String rawQuery);
  }

  /** Where the body of a streamed call goes, part by part, on the connection's event loop. */
  public interface BodySink {
    /** The next part (the sink owns it); the last is a {@code LastHttpContent}. */
    void part(HttpContent part);

    /** The client's connection closed before the last part came. */
    void clientClosed();
  }

  private final Admission admission;
  private final FunctionUrls functions;
  private final StreamedUrls streamed;
  private final Api controlApi;
  private final Api lambdaApi;
  private final Supplier<String> metrics;
  private final String health;
  private final String draining;
  private final ConsoleAssets console = new ConsoleAssets();
  private final InFlightExchanges exchanges = new InFlightExchanges();
  private volatile boolean drain;
  private volatile Forwarding forwarding = Forwarding.NONE;
  private volatile java.util.function.ToLongFunction<String> urlBodyLimit = name -> Long.MAX_VALUE;

  /**
   * The largest body a call of a function's URL may declare, read from the head (the port's own
   * limit applies besides): {@link #NO_SUCH_FUNCTION} when there is no such function. By default
   * none but the port's.
   */
  public GatewayHandler urlBodyLimit(java.util.function.ToLongFunction<String> limit) {
    urlBodyLimit = limit;
    return this;
  }

  /** What {@link #urlBodyLimit} says of a name no function has. */
  public static final long NO_SUCH_FUNCTION = -1;

  /** Sends calls that belong on another daemon there (several daemons sharing a database); none by default. */
  public GatewayHandler forwarding(Forwarding f) {
    forwarding = f;
    return this;
  }

  /**
   * @param functions function URLs ({@link FunctionInvoker#serveUrl})
   * @param controlApi {@code /api/v1/…} ({@link ControlApi#handle})
   * @param lambdaApi {@code /2015-03-31/…} ({@link LambdaApi#handle})
   * @param metrics the Prometheus text {@code /metrics} answers, read at each scrape
   * @param admission who may do what; asked before every route but {@code /healthz}
   * @param protections lines {@code /healthz} adds after its {@code ok} (which protections are active)
   */
  public GatewayHandler(FunctionUrls functions, Api controlApi, Api lambdaApi, Supplier<String> metrics, Admission admission,
      List<String> protections) {
    this(functions, StreamedUrls.NONE, controlApi, lambdaApi, metrics, admission, protections);
  }

  /** @param streamed function URL calls whose body streams ({@link FunctionInvoker#serveStreamed}) */
  public GatewayHandler(FunctionUrls functions, StreamedUrls streamed, Api controlApi, Api lambdaApi, Supplier<String> metrics,
      Admission admission, List<String> protections) {
    this.streamed = streamed;
    String lines = protections.stream().map(l -> l + "\n").collect(Collectors.joining());
    this.health = "ok\n" + lines;
    this.draining = "draining: this node is shutting down and takes no new requests\n" + lines;
    super(false); // the routes own the request and release it
    this.admission = admission;
    this.functions = functions;
    this.controlApi = controlApi;
    this.lambdaApi = lambdaApi;
    this.metrics = metrics;
  }

  /**
   * Serves {@code head} with its body streamed if it is a function URL call that streams and is
   * admitted, returning where its body goes; else null, and the request is aggregated and routed
   * as any other (a refused one is refused there, with the same answer).
   */
  BodySink stream(ChannelHandlerContext ctx, HttpRequest head) {
    Optional<FunctionRoute> route = FunctionRoute.of(head);
    if (drain || route.isEmpty() || !route.get().valid() || !streamed.streams(route.get().name())
        || admission.functionUrl(head, route.get().name()).isPresent()) {
      return null;
    }
    if (forwarding != Forwarding.NONE && !head.headers().contains(Forwarding.HEADER) && forwarding.elsewhere(route.get().name())) {
      return null; // aggregated, then forwarded whole
    }
    FunctionRoute f = route.get();
    return streamed.serve(ctx, head, f.target(), f.path(), f.rawQuery());
  }

  /**
   * For a request whose body is about to be aggregated: the refusal its head alone earns, or
   * null to read the body. Only a request that carries a body is checked, and only where a
   * credential decides (the APIs, {@code /metrics}, a function URL with auth); a body sent where
   * no route reads one (health, the console's files, unknown paths) may be at most
   * {@link #UNREAD_BODY_LIMIT}. Refusing here means the daemon does not hold, up to the upload
   * limit, the body of a caller it would refuse anyway.
   */
  FullHttpResponse refusalBeforeBody(HttpRequest head) {
    long declared = HttpUtil.getContentLength(head, -1L);
    boolean body = declared > 0 || declared < 0 && HttpUtil.isTransferEncodingChunked(head);
    if (!body || drain) {
      return null; // no body to hold; a draining daemon refuses once it has the request
    }
    Optional<FunctionRoute> route = FunctionRoute.of(head);
    if (route.isPresent()) {
      FunctionRoute f = route.get();
      long limit = f.valid() ? urlBodyLimit.applyAsLong(f.name()) : NO_SUCH_FUNCTION;
      if (limit == NO_SUCH_FUNCTION) {
        return ErrorResponses.of(new Failure.FunctionNotFound(f.target())); // nothing to send a body to
      }
      Optional<FullHttpResponse> refused = admission.functionUrlHead(head, f.name());
      if (refused.isPresent()) {
        return refused.get();
      }
      return declared > limit ? ErrorResponses.of(new Failure.PayloadTooLarge("request body of " + declared + " bytes is over the "
          + urlLimitText(limit))) : null;
    }
    String uri = head.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    if (path.startsWith("/api/v1/")) {
      return admission.controlApiHead(head, path.substring("/api/v1".length())).orElse(null);
    }
    if (LambdaApi.otherVersion(path)) {
      return admission.lambdaApiHead(head, path).orElse(null);
    }
    if (path.startsWith(LambdaApi.PREFIX + "/")) {
      return admission.lambdaApiHead(head, path.substring(LambdaApi.PREFIX.length())).orElse(null);
    }
    if (declared < 0 || declared > UNREAD_BODY_LIMIT) {
      return ErrorResponses.of(new Failure.PayloadTooLarge("request body of " + (declared < 0 ? "unknown length" : declared + " bytes")
          + " on " + path + ", which reads none (at most " + UNREAD_BODY_LIMIT + " bytes are taken and dropped)"));
    }
    return null;
  }

  /**
   * The most body, in bytes, that a request of unknown length ({@code Transfer-Encoding: chunked})
   * may bring before it is refused with 413, for a request that passed {@link #refusalBeforeBody}
   * and is about to be aggregated: a function URL call's limit (a Lambda-style function takes a 6 MB
   * event), else {@link Long#MAX_VALUE} (the port's limit applies). A declared length is checked
   * against the same limit on the head; this keeps an anonymous caller of a public URL from making
   * the daemon hold up to the port's limit by not declaring one.
   */
  long chunkedBodyLimit(HttpRequest head) {
    Optional<FunctionRoute> route = FunctionRoute.of(head);
    if (route.isEmpty() || !route.get().valid()) {
      return Long.MAX_VALUE;
    }
    long limit = urlBodyLimit.applyAsLong(route.get().name());
    return limit == NO_SUCH_FUNCTION ? Long.MAX_VALUE : limit;
  }

  /** A body of unknown length that grew past its route's limit ({@link #chunkedBodyLimit}): 413. */
  static final class BodyOverLimit extends RuntimeException {
    BodyOverLimit(long limit) {
      super("request body is over the " + urlLimitText(limit), null, false, false);
    }
  }

  /** How a 413 names a function URL's body limit: in MB when whole, else in bytes. */
  private static String urlLimitText(long limit) {
    return (limit % (1 << 20) == 0 ? (limit >> 20) + " MB" : limit + " bytes") + " limit of a function URL call";
  }

  /** The target Netty gives a request whose first line could not be read. */
  private static final String BAD_REQUEST_LINE = "/bad-request";

  /** The most body a request may carry to a route that reads none, in bytes. */
  static final int UNREAD_BODY_LIMIT = 64 * 1024;

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      // The decoder reads nothing more of this connection: answer and close it.
      try {
        Throwable cause = req.decoderResult().cause();
        FullHttpResponse res = ErrorResponses.of(cause instanceof BodyOverLimit ? new Failure.PayloadTooLarge(cause.getMessage())
            : new Failure.InvalidInput("malformed HTTP request: " + cause.getMessage()));
        // the statuses RFC 9110 §15.5.15 and RFC 6585 §5 name for a target or header section too long to read
        if (cause instanceof TooLongHttpLineException && BAD_REQUEST_LINE.equals(req.uri())) { // not a chunk-size line
          res.setStatus(HttpResponseStatus.REQUEST_URI_TOO_LONG);
        } else if (cause instanceof TooLongHttpHeaderException) {
          res.setStatus(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        } else if (cause instanceof GatewayCodec.UnknownCoding) {
          res.setStatus(HttpResponseStatus.NOT_IMPLEMENTED); // RFC 9112 §6.1
        } else if (cause instanceof GatewayCodec.UnsupportedVersion) {
          res.setStatus(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED);
        }
        Responses.sendOnLoop(ctx, false, res);
      } finally {
        req.release();
      }
      return;
    }
    if (drain) {
      refuseWhileDraining(ctx, req);
      return;
    }
    // a daemon of one machine (Forwarding.NONE) parses nothing more per request
    String elsewhere = forwarding == Forwarding.NONE ? null : Forwarding.functionOf(req);
    if (elsewhere != null && forwarding.elsewhere(elsewhere)) {
      if (!admittedToForward(ctx, req, elsewhere)) {
        return; // refused here: nothing is forwarded
      }
      if (forwarding.forward(ctx, req, elsewhere, here -> channelRead0(ctx, here))) {
        return;
      }
    }
    Optional<FunctionRoute> function = FunctionRoute.of(req);
    if (function.isPresent()) {
      FunctionRoute f = function.get();
      if (!f.valid()) {
        try {
          Responses.send(ctx, req, ErrorResponses.of(new Failure.FunctionNotFound(f.target())));
        } finally {
          req.release();
        }
        return;
      }
      if (admitted(ctx, req, admission.functionUrl(req, f.name()))) {
        functions.serve(ctx, req, f.target(), f.path(), f.rawQuery());
      }
      return;
    }
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    if (path.equals("/console") || path.startsWith(ConsoleAssets.PREFIX)) {
      send(ctx, req, console.answer(req.method(), path));
      return;
    }
    if (path.startsWith("/api/v1/")) {
      String apiPath = path.substring("/api/v1".length());
      if (admitted(ctx, req, admission.controlApi(req, apiPath))) {
        controlApi.handle(ctx, req, apiPath, new QueryStringDecoder(uri));
      }
      return;
    }
    if (LambdaApi.otherVersion(path)) {
      // the Lambda API's operations under other dates (function URLs, InvokeWithResponseStream, event invoke
      // configuration, tags, concurrency, account settings, layers, and those not served): passed on with their prefix
      if (admitted(ctx, req, admission.lambdaApi(req, path))) {
        lambdaApi.handle(ctx, req, path, new QueryStringDecoder(uri));
      }
      return;
    }
    if (path.startsWith(LambdaApi.PREFIX + "/")) {
      String apiPath = path.substring(LambdaApi.PREFIX.length());
      if (admitted(ctx, req, admission.lambdaApi(req, apiPath))) {
        lambdaApi.handle(ctx, req, apiPath, new QueryStringDecoder(uri));
      }
      return;
    }
    switch (path) {
      case "/healthz" -> plain(ctx, req, HttpResponseStatus.OK, health);
      case "/metrics" -> {
        if (!admitted(ctx, req, admission.metrics(req))) {
          return;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.copiedBuffer(metrics.get(), StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        send(ctx, req, res);
      }
      default -> send(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND, Map.of("error", "NotFound",
          "message", "no route for " + path + " (function URLs are /fn/{name}/…, the API is /api/v1/…)")));
    }
  }

  /**
   * Checks a call's credentials before it is forwarded (so no daemon passes on what it would
   * refuse); the daemon it goes to checks them again. False after sending the refusal.
   */
  private boolean admittedToForward(ChannelHandlerContext ctx, FullHttpRequest req, String function) {
    if (FunctionRoute.of(req).isPresent()) {
      return admitted(ctx, req, admission.functionUrl(req, function));
    }
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = (q < 0 ? uri : uri.substring(0, q)).substring(LambdaApi.PREFIX.length());
    return admitted(ctx, req, admission.lambdaApi(req, path));
  }

  /**
   * Starts the drain of a node that is shutting down: from now on {@code /healthz} answers 503
   * (a readiness probe takes the node out of its Service) and every other request is refused with
   * 503 and {@code Connection: close}, so a client's next attempt opens a connection to another
   * node. Requests already taken go on; {@link #inFlight()} says how many there are. For good.
   */
  public void drain() {
    drain = true;
  }

  /** Whether {@link #drain} was called. */
  public boolean draining() {
    return drain;
  }

  /** HTTP exchanges in flight on the daemon's port: requests taken whose response is not fully written. */
  public int inFlight() {
    return exchanges.count();
  }

  /** A handler that counts one pipeline's exchanges into {@link #inFlight()}; one per HTTP pipeline, after the codec. */
  ChannelHandler exchangeCounter() {
    return exchanges.counter();
  }

  /** While draining: {@code /healthz} says so with a 503, anything else is refused with one. */
  private void refuseWhileDraining(ChannelHandlerContext ctx, FullHttpRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    if (path.equals("/healthz")) {
      plain(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, draining);
      return;
    }
    try {
      Responses.sendOnLoop(ctx, false, ErrorResponses.of(new Failure.Unavailable(
          "this node is shutting down (draining) and takes no new requests; send it to another node")));
    } finally {
      req.release();
    }
  }

  /** True when the request may go on; else sends the refusal and releases the request. */
  private static boolean admitted(ChannelHandlerContext ctx, FullHttpRequest req, Optional<FullHttpResponse> refusal) {
    if (refusal.isEmpty()) {
      return true;
    }
    send(ctx, req, refusal.get());
    return false;
  }

  private static void plain(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String text) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    send(ctx, req, res);
  }

  private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    try {
      Responses.send(ctx, req, res);
    } finally {
      req.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
