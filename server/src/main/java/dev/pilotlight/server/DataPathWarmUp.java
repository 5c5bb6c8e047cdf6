package dev.pilotlight.server;

import dev.pilotlight.executor.RawHttp;
import dev.pilotlight.gateway.lambda.HttpEvents;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.runtimeapi.RuntimeApiEndpoint;
import dev.pilotlight.runtimeapi.RuntimeApiServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the daemon's own data path once at start-up, so that the JIT has compiled it before the
 * first cold start needs it.
 *
 * <p>Why: a cold start is rare by nature, and a daemon that serves few calls runs the code of each
 * one in the JVM's interpreter — the HTTP codecs, the event loop's reads and writes, the Runtime
 * API's hand-over. Timestamps of as-user cold starts put ~5 ms of a ~17 ms cold start in that
 * difference (docs/performance.md, "A data path compiled before the first call").
 *
 * <p>What: on a thread of its own, after the gateway listens, over loopback TCP like any client:
 * <ul>
 *   <li>the Runtime API: a private endpoint owned by the daemon's own uid (so the owner check runs),
 *       polled and answered by a loopback runtime speaking as the JDK runner does (its answer and
 *       next poll in one write), given {@link #calls()} events one at a time: function URL events
 *       made by the gateway's code for them, each answer read as a function URL's response;</li>
 *   <li>the gateway: as many {@code GET /healthz} on one kept-alive connection, and a tenth of that
 *       on a new connection each (accept, the pipeline's set-up, the close): only a tenth, because
 *       each closed connection holds a local port in TIME_WAIT for a minute, and daemons started
 *       one after another (tests, a restart loop) must not run the machine out of them.</li>
 * </ul>
 * No function and no instance is involved, nothing is stored, and the endpoint is closed after.
 *
 * <p>How many: enough for a method called once per call to pass the JIT's threshold for its
 * optimising compiler ({@code Tier4InvocationThreshold}, 5,000 by default, read from the running
 * JVM), with a fifth more ({@link #calls()}). It stops early when the daemon closes. Then one full
 * collection gives back the heap the calls' garbage made it grow. {@code PILOTLIGHT_WARM_UP=off}
 * turns it off.
 */
final class DataPathWarmUp {
  private static final System.Logger LOG = System.getLogger("pilotlight");
  /** What the loopback runtime answers: a function URL's response, as a handler would return it. */
  private static final byte[] ANSWER =
      "{\"statusCode\":200,\"headers\":{\"content-type\":\"text/plain\"},\"body\":\"warm\"}".getBytes(StandardCharsets.UTF_8);
  private static final Duration CALL_LIMIT = Duration.ofSeconds(5);

  private final RuntimeApiServer runtimeApi;
  private final InetSocketAddress gateway;
  private final int calls;
  private final BooleanSupplier keepGoing;

  /**
   * @param gateway where the gateway takes plain HTTP on this machine, or null to leave it out
   *     (TLS: the handshake would be most of the work, and it is not the path of a call)
   * @param calls events through the Runtime API, and requests on one gateway connection ({@link #calls()})
   * @param keepGoing asked before every call: false stops the warm-up (the daemon is closing)
   */
  DataPathWarmUp(RuntimeApiServer runtimeApi, InetSocketAddress gateway, int calls, BooleanSupplier keepGoing) {
    this.runtimeApi = runtimeApi;
    this.gateway = gateway;
    this.calls = calls;
    this.keepGoing = keepGoing;
  }

  /** Whether {@code setting} ({@code PILOTLIGHT_WARM_UP}) turns it on: unset, {@code on} or {@code off}. */
  static boolean enabled(String setting) {
    if (setting == null || setting.isBlank() || setting.equals("on")) {
      return true;
    }
    if (setting.equals("off")) {
      return false;
    }
    throw new IllegalArgumentException("PILOTLIGHT_WARM_UP=" + setting + " (expected: on or off)");
  }

  /** The calls per path: the JVM's tier-4 invocation threshold and a fifth more. */
  static int calls() {
    int threshold = 5000;
    try {
      var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      threshold = Integer.parseInt(bean.getVMOption("Tier4InvocationThreshold").getValue());
    } catch (RuntimeException e) {
      // another JVM: the HotSpot default
    }
    return threshold + threshold / 5;
  }

  /** Starts it on a daemon thread of its own; returns at once. */
  void start() {
    Thread.ofPlatform().daemon().name("data-path-warm-up").start(this::run);
  }

  /** Runs it on this thread; the counts done, for the log and tests. */
  Done run() {
    long start = System.nanoTime();
    try {
      runtimeApi(calls);
      if (gateway != null) {
        gateway(calls);
      }
    } catch (IOException | RuntimeException e) {
      // Only the first cold starts are slower for it; a closing daemon ends it on purpose.
      LOG.log(keepGoing.getAsBoolean() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, "data path warm-up stopped early: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // What the calls allocated is garbage now: a full collection gives the heap it grew back to the system.
    System.gc();
    Done done = new Done(events, requests, Duration.ofNanos(System.nanoTime() - start));
    LOG.log(System.Logger.Level.INFO, "data path warmed up: " + done.events() + " events through a Runtime API endpoint and " + done.requests()
        + " requests to the gateway in " + done.took().toMillis() + " ms (PILOTLIGHT_WARM_UP=off skips it)");
    return done;
  }

  /** What a run did: events through the Runtime API, requests to the gateway, and how long it took. */
  record Done(int events, int requests, Duration took) {}

  /** Events answered and gateway requests served so far (counted on the warm-up's thread). */
  private int events;
  private int requests;

  private void runtimeApi(int n) throws IOException, InterruptedException {
    RuntimeApiEndpoint endpoint = runtimeApi.open("warm-up");
    try {
      endpoint.ownedBy((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // no /proc: anyone may connect to it, as without a sandbox
    }
    Thread runtime = Thread.ofPlatform().daemon().name("data-path-warm-up-runtime").start(() -> loopbackRuntime(endpoint.address()));
    try {
      String arn = "arn:aws:lambda:local:000000000000:function:warm-up";
      for (int i = 0; i < n && keepGoing.getAsBoolean(); i++) {
        String requestId = "warm-up-" + i;
        Instant now = Instant.now();
        LambdaRequest r = new LambdaRequest(requestId, event(requestId, now), now.plus(CALL_LIMIT), arn);
        LambdaResponse answer;
        try {
          answer = endpoint.invoke(r).get(CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          throw new IOException("event " + i + ": " + e, e);
        }
        // The answer read as a function URL's response, as the gateway reads one.
        FullHttpResponse response = HttpEvents.toResponse(answer.payload());
        boolean ok = response.status().code() == 200;
        response.release();
        if (!ok) {
          throw new IOException("event " + i + ": the answer read as " + response.status());
        }
        events++;
      }
    } finally {
      endpoint.close("warm-up done");
      runtime.join(CALL_LIMIT.toMillis());
    }
  }

  /**
   * A function URL's event for {@code GET /?warm=up} from a browser-like client, made by the
   * gateway's own code for it ({@link HttpEvents#toEvent}): with the answer's reading, the steps of a
   * function URL call that only a call runs.
   */
  private static byte[] event(String requestId, Instant now) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/fn/warm-up/?warm=up", Unpooled.EMPTY_BUFFER);
    req.headers().set("host", "127.0.0.1").set("user-agent", "warm-up").set("accept", "*/*").set("cookie", "a=1; b=2")
        .set("x-amzn-trace-id", "Root=1-00000000-000000000000000000000000");
    try {
      return HttpEvents.toEvent(req, "/", "warm=up", requestId, "warm-up", new HttpEvents.Caller("127.0.0.1", "http", 0), now);
    } finally {
      req.release();
    }
  }

  /**
   * Polls {@code address} and answers every event, the answer and the next poll in one write, until
   * the endpoint goes away (a 410 or the connection closed).
   */
  private static void loopbackRuntime(String address) {
    int colon = address.lastIndexOf(':');
    try (Socket s = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))) {
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      InputStream in = new BufferedInputStream(s.getInputStream());
      byte[] next = ("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: " + address + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      out.write(next);
      out.flush();
      while (true) {
        RawHttp.Response event = RawHttp.read(in, false);
        String requestId = event.headers().get("Lambda-Runtime-Aws-Request-Id");
        if (event.status() != 200 || requestId == null) {
          return; // the endpoint is closed: 410 Gone
        }
        byte[] head = ("POST /2018-06-01/runtime/invocation/" + requestId + "/response HTTP/1.1\r\nHost: " + address
            + "\r\nContent-Type: application/json\r\nContent-Length: " + ANSWER.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + ANSWER.length + next.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(ANSWER, 0, all, head.length, ANSWER.length);
        System.arraycopy(next, 0, all, head.length + ANSWER.length, next.length);
        out.write(all);
        out.flush();
        if (RawHttp.read(in, false).status() != 202) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the endpoint closed under it (the connection ended): the warm-up is over
    }
  }

  private void gateway(int n) throws IOException {
    try (RawHttp kept = RawHttp.connect(gateway, CALL_LIMIT)) {
      for (int i = 0; i < n && keepGoing.getAsBoolean(); i++) {
        kept.send("GET", "/healthz");
        requests++;
      }
    }
    for (int i = 0; i < n / 10 && keepGoing.getAsBoolean(); i++) {
      RawHttp.once(gateway, "GET", "/healthz", CALL_LIMIT);
      requests++;
    }
  }
}
