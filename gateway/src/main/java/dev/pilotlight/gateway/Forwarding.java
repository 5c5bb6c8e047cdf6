package dev.pilotlight.gateway;

import dev.pilotlight.gateway.proxy.HttpProxy;
import dev.pilotlight.gateway.proxy.ProxyOutcome;
import dev.pilotlight.gateway.proxy.StreamedBody;
import dev.pilotlight.model.Failure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

/**
 * Several daemons as one (issue 19): a call that arrives at this daemon but belongs on another
 * (where the function's instances are warm, by {@code placement}) is sent on to it over HTTP, as
 * it came: the caller's own credentials go with it and are checked there too (the daemons share
 * them), and the answer streams back. A call carrying {@link #HEADER} was forwarded once already
 * and is served where it arrives, so a call is never forwarded twice, even while two daemons
 * disagree for a moment about who is alive.
 *
 * <p>Function URLs and synchronous Lambda {@code Invoke}s are forwarded; asynchronous invokes are
 * not (the queue they go to is shared) and neither is the API (its state is shared). When the
 * other daemon cannot be reached at all (the connection refused or timed out: the call cannot
 * have run there), the call is served here instead; when it fails after being sent, the caller
 * gets {@code 502}: it may have run, and a call is never run twice behind its caller's back.
 */
public final class Forwarding {
  /** Marks a forwarded call, naming the daemon that forwarded it. */
  public static final String HEADER = "X-Pilotlight-Forwarded-By";
  /** How long the other daemon has to answer a forwarded call: past Lambda's longest timeout. */
  static final Duration ANSWER_WITHIN = Duration.ofMinutes(16);

  /** A daemon of one machine: nothing is forwarded. */
  public static final Forwarding NONE = new Forwarding(null, null, f -> null);

  private final String self;
  private final HttpProxy proxy;
  /** Calls forwarded and not answered yet, by where they went. */
  private final java.util.Set<InFlight> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private record InFlight(InetSocketAddress target, ChannelHandlerContext client) {}
  private final Function<String, InetSocketAddress> placement;

  /**
   * @param self this daemon's node id, written in {@link #HEADER}
   * @param placement the daemon that should serve a call of a function, or null for this one
   */
  public Forwarding(String self, HttpProxy proxy, Function<String, InetSocketAddress> placement) {
    this.self = self;
    this.proxy = proxy;
    this.placement = placement;
  }

  /** The function a call of {@code req} runs, if it is one that may be forwarded; else null. */
  static String functionOf(FullHttpRequest req) {
    if (req.headers().contains(HEADER)) {
      return null;
    }
    var route = FunctionRoute.of(req);
    if (route.isPresent()) {
      return route.get().valid() ? route.get().name() : null;
    }
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String prefix = LambdaApi.PREFIX + "/functions/";
    if (req.method().equals(HttpMethod.POST) && path.startsWith(prefix) && path.endsWith("/invocations")) {
      String type = req.headers().get("X-Amz-Invocation-Type");
      if (type != null && !type.equals("RequestResponse")) {
        return null; // Event: the shared queue takes it; DryRun: nothing runs
      }
      String raw = path.substring(prefix.length(), path.length() - "/invocations".length());
      if (raw.isEmpty() || raw.contains("/")) {
        return null;
      }
      try {
        return LambdaNames.parse(URLDecoder.decode(raw, StandardCharsets.UTF_8)).name();
      } catch (Failure.InvalidInput | IllegalArgumentException e) {
        return null; // answered here, with the error
      }
    }
    return null;
  }

  /** Whether calls of {@code function} belong on another daemon. */
  boolean elsewhere(String function) {
    return proxy != null && placement.apply(function) != null;
  }

  /**
   * Sends {@code req} on to the daemon that should serve {@code function} and returns true (the
   * request is owned from then on), or returns false when it belongs here. If the other daemon
   * cannot be reached, {@code serveHere} is given the request, marked as forwarded.
   */
  boolean forward(ChannelHandlerContext ctx, FullHttpRequest req, String function, java.util.function.Consumer<FullHttpRequest> serveHere) {
    InetSocketAddress target = proxy == null ? null : placement.apply(function);
    if (target == null) {
      return false;
    }
    req.headers().set(HEADER, self);
    req.retain(); // kept until the outcome: served here if the other daemon cannot be reached
    InFlight call = new InFlight(target, ctx);
    inFlight.add(call);
    int bodyStart = req.content().readerIndex();
    // the proxy sends a head's own headers on, changed (HttpProxy.forward): a copy, as the request
    // may yet be served here as it came
    HttpRequest head = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers().copy());
    proxy.forward(ctx, head, StreamedBody.whole(ctx.channel(), req), req.uri(), target, ANSWER_WITHIN, Duration.ofMinutes(10),
        new ProxyOutcome() {
          @Override
          public void responseHead(HttpHeaders headers) {
            headers.set(HEADER, self);
          }

          @Override
          public void completed(int status) {
            inFlight.remove(call);
            req.release();
          }

          @Override
          public void failed(Throwable cause, boolean responseStarted) {
            inFlight.remove(call);
            if (!responseStarted && unreached(cause)) {
              req.content().readerIndex(bodyStart);
              serveHere.accept(req); // the call cannot have run there
              return;
            }
            req.release();
            if (!responseStarted) {
              Responses.sendOnLoop(ctx, false, ErrorResponses.json(HttpResponseStatus.BAD_GATEWAY, java.util.Map.of("error",
                  "ServiceException", "message", "the daemon serving '" + function + "' (" + target + ") failed during the call: "
                      + cause.getMessage())));
            }
          }

          @Override
          public void timedOut(boolean responseStarted, boolean instanceAtFault) {
            inFlight.remove(call);
            req.release();
            if (!responseStarted) {
              Responses.sendOnLoop(ctx, false, ErrorResponses.json(HttpResponseStatus.GATEWAY_TIMEOUT, java.util.Map.of("error",
                  "ServiceException", "message", "the daemon serving '" + function + "' (" + target + ") did not answer in time")));
            }
          }

          @Override
          public void clientClosed() {
            inFlight.remove(call);
            req.release();
          }
        });
    return true;
  }

  /**
   * The daemons at {@code addresses} are gone (their heartbeat stopped): calls forwarded to them
   * and not answered end now, their callers' connections closed (a daemon cut off from the network
   * would otherwise hold them until the call's timeout), and the idle connections to them are
   * dropped.
   */
  public void gone(java.util.Collection<InetSocketAddress> addresses) {
    if (addresses.isEmpty() || proxy == null) {
      return;
    }
    for (InFlight f : inFlight) {
      if (addresses.contains(f.target()) && inFlight.remove(f)) {
        f.client().close();
      }
    }
    addresses.forEach(proxy::forget);
  }

  /** A failure before anything reached the other daemon: nothing there can have run. */
  private static boolean unreached(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
