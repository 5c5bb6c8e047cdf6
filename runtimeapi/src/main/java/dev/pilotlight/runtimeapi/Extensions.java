package dev.pilotlight.runtimeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.model.LambdaRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The external extensions of one instance, as AWS's Extensions API (2020-01-01) has them: each
 * registers for {@code INVOKE} and/or {@code SHUTDOWN}, then long-polls {@code event/next}.
 *
 * <p>The rules it keeps (AWS's "Lambda Extensions API" lifecycle): init is done when every expected
 * extension has registered and called {@code next}, and the runtime has called its {@code next};
 * each event handed to the runtime is also queued as an {@code INVOKE} for every extension that
 * subscribed to it; an invocation is complete only once the runtime answered and every such
 * extension is back in {@code next} (idle); {@code SHUTDOWN} is queued for its subscribers when the
 * instance is stopped, and the stop waits until they are back in {@code next} or gone. A parked
 * {@code next} whose connection closes (the extension's process died) before a shutdown is an
 * extension crash. All state is guarded by {@code this}; the endpoint calls in without its own lock.
 */
final class Extensions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the endpoint is told back, outside this object's lock. */
  interface Listener {
    void initDone();

    /** The runtime called {@code next} the first time. */
    void runtimeInitDone();

    /** Every INVOKE subscriber is idle again: held completions may run and the runtime may get its next event. */
    void idle(List<Runnable> held);

    /** An extension crashed or reported an error: the instance cannot serve correctly any more. */
    void failed(String errorType, String message);
  }

  /** What {@code register} answers: the function the extension runs beside. */
  record Identity(String functionName, String functionVersion, String handler) {}

  private static final class Ext {
    final String id;
    final String name;
    final boolean invoke;
    final boolean shutdown;
    final ArrayDeque<byte[]> events = new ArrayDeque<>();
    ChannelHandlerContext poll;
    /** Was handed an event and has not called {@code next} since. */
    boolean busy;
    boolean polledOnce;

    Ext(String id, String name, boolean invoke, boolean shutdown) {
      this.id = id;
      this.name = name;
      this.invoke = invoke;
      this.shutdown = shutdown;
    }

    boolean idle() {
      return !busy && events.isEmpty();
    }
  }

  private final int expected;
  private final Identity identity;
  private final Listener listener;
  private final Map<String, Ext> byId = new LinkedHashMap<>();
  private final List<Runnable> held = new ArrayList<>();
  private final CompletableFuture<Void> shutdownDone = new CompletableFuture<>();
  private boolean runtimeReady;
  private boolean initDone;
  private boolean shuttingDown;
  private boolean failed;

  Extensions(int expected, Identity identity, Listener listener) {
    if (expected < 1) {
      throw new IllegalArgumentException("expected extensions: " + expected + " (expected: >= 1)");
    }
    this.expected = expected;
    this.identity = identity;
    this.listener = listener;
  }

  Identity identity() {
    return identity;
  }

  int expected() {
    return expected;
  }

  /** Thrown for a call the API refuses; becomes {@code {errorMessage, errorType}} with {@code status}. */
  static final class Refused extends Exception {
    final int status;
    final String errorType;

    Refused(int status, String errorType, String message) {
      super(message, null, false, false);
      this.status = status;
      this.errorType = errorType;
    }
  }

  /** Registers an extension; returns its identifier and the body to answer with. */
  String[] register(String name, byte[] body) throws Refused {
    if (name == null || name.isBlank()) {
      throw new Refused(400, "InvalidRequest", "the Lambda-Extension-Name header is required");
    }
    boolean invoke = false;
    boolean shutdown = false;
    try {
      JsonNode events = body.length == 0 ? null : JSON.readTree(body).get("events");
      if (events != null && !events.isArray()) {
        throw new Refused(400, "InvalidRequest", "events: expected an array of INVOKE and SHUTDOWN");
      }
      if (events != null) {
        for (JsonNode e : events) {
          switch (e.asText()) {
            case "INVOKE" -> invoke = true;
            case "SHUTDOWN" -> shutdown = true;
            default -> throw new Refused(400, "InvalidEventType", "events: " + e + " (expected: INVOKE or SHUTDOWN)");
          }
        }
      }
    } catch (IOException e) {
      throw new Refused(400, "InvalidRequest", "the register body is not JSON: " + e.getMessage());
    }
    String id;
    synchronized (this) {
      if (initDone || byId.size() >= expected) {
        throw new Refused(403, "Extension.RegistrationPhaseOver", "registration is over: " + byId.size() + " of " + expected
            + " extensions registered and init " + (initDone ? "done" : "under way"));
      }
      for (Ext e : byId.values()) {
        if (e.name.equals(name)) {
          throw new Refused(409, "Extension.AlreadyRegistered", "an extension named " + name + " is registered already");
        }
      }
      id = UUID.randomUUID().toString();
      byId.put(id, new Ext(id, name, invoke, shutdown));
    }
    ObjectNode answer = JSON.createObjectNode()
        .put("functionName", identity.functionName())
        .put("functionVersion", identity.functionVersion())
        .put("handler", identity.handler());
    return new String[] {id, answer.toString()};
  }

  /** The name of the extension with identifier {@code id}. */
  synchronized String nameOf(String id) throws Refused {
    Ext e = id == null ? null : byId.get(id);
    if (e == null) {
      throw new Refused(403, "Extension.UnknownExtensionIdentifier", "unknown Lambda-Extension-Identifier " + id);
    }
    return e.name;
  }

  /** An extension's {@code event/next}: hands it its next event or parks it. */
  void next(ChannelHandlerContext ctx, String id) throws Refused {
    boolean initNow;
    List<Runnable> release = null;
    synchronized (this) {
      Ext e = id == null ? null : byId.get(id);
      if (e == null) {
        throw new Refused(403, "Extension.UnknownExtensionIdentifier", "unknown Lambda-Extension-Identifier " + id);
      }
      e.busy = false;
      e.polledOnce = true;
      if (e.poll != null) {
        e.poll.close(); // a second poll replaces the first
      }
      e.poll = null;
      byte[] event = e.events.pollFirst();
      if (event != null) {
        e.busy = true;
        sendEvent(ctx, event);
      } else {
        e.poll = ctx;
      }
      initNow = checkInit();
      if (e.invoke && allInvokeIdle()) {
        release = new ArrayList<>(held);
        held.clear();
      }
      checkShutdown();
    }
    if (initNow) {
      listener.initDone();
    }
    if (release != null) {
      listener.idle(release);
    }
  }

  /** The runtime called {@code next} (its init is over). */
  void runtimeNext() {
    boolean initNow;
    boolean first;
    synchronized (this) {
      first = !runtimeReady;
      runtimeReady = true;
      initNow = checkInit();
    }
    if (first) {
      listener.runtimeInitDone();
    }
    if (initNow) {
      listener.initDone();
    }
  }

  private boolean checkInit() {
    if (initDone || !runtimeReady || byId.size() < expected) {
      return false;
    }
    for (Ext e : byId.values()) {
      if (!e.polledOnce) {
        return false;
      }
    }
    initDone = true;
    return true;
  }

  synchronized boolean initDone() {
    return initDone;
  }

  /** Whether the runtime may be given its next event: every INVOKE subscriber is done with the last one. */
  synchronized boolean idle() {
    return allInvokeIdle();
  }

  private boolean allInvokeIdle() {
    for (Ext e : byId.values()) {
      if (e.invoke && !e.idle()) {
        return false;
      }
    }
    return true;
  }

  /** Queues an INVOKE for {@code r} to every subscriber; called as the event goes to the runtime. */
  void invoked(LambdaRequest r) {
    byte[] event = null;
    synchronized (this) {
      for (Ext e : byId.values()) {
        if (!e.invoke) {
          continue;
        }
        if (event == null) {
          event = JSON.createObjectNode()
              .put("eventType", "INVOKE")
              .put("deadlineMs", r.deadline().toEpochMilli())
              .put("requestId", r.requestId())
              .put("invokedFunctionArn", r.invokedFunctionArn())
              .set("tracing", JSON.createObjectNode().put("type", "X-Amzn-Trace-Id").put("value", r.traceId()))
              .toString()
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        offer(e, event);
      }
    }
  }

  /** Runs {@code completion} now if every INVOKE subscriber is idle, else once they all are. */
  void whenIdle(Runnable completion) {
    synchronized (this) {
      if (!allInvokeIdle()) {
        held.add(completion);
        return;
      }
    }
    completion.run();
  }

  /**
   * Queues {@code SHUTDOWN} with {@code reason} ({@code spindown}, {@code timeout}, {@code failure})
   * to every subscriber; completes when each is back in {@code next} or its poll's connection closed.
   */
  CompletableFuture<Void> shutdown(String reason, Instant deadline) {
    synchronized (this) {
      if (!shuttingDown) {
        shuttingDown = true;
        byte[] event = JSON.createObjectNode()
            .put("eventType", "SHUTDOWN")
            .put("shutdownReason", reason)
            .put("deadlineMs", deadline.toEpochMilli())
            .toString()
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Ext e : byId.values()) {
          if (e.shutdown) {
            offer(e, event);
          }
        }
        checkShutdown();
      }
    }
    return shutdownDone;
  }

  private void checkShutdown() {
    if (!shuttingDown) {
      return;
    }
    for (Ext e : byId.values()) {
      if (e.shutdown && !e.idle()) {
        return;
      }
    }
    shutdownDone.complete(null);
  }

  private static void offer(Ext e, byte[] event) {
    if (e.poll != null && e.events.isEmpty()) {
      ChannelHandlerContext ctx = e.poll;
      e.poll = null;
      e.busy = true;
      sendEvent(ctx, event);
    } else {
      e.events.addLast(event);
    }
  }

  /** A connection closed: if it held an extension's parked {@code next}, that extension is gone. */
  void pollClosed(ChannelHandlerContext ctx) {
    String crashed = null;
    synchronized (this) {
      for (Ext e : byId.values()) {
        if (e.poll == ctx) {
          e.poll = null;
          if (shuttingDown) {
            // Gone after its SHUTDOWN (or while one was coming): it need not come back.
            e.events.clear();
            e.busy = false;
            checkShutdown();
          } else if (!failed) {
            failed = true;
            crashed = e.name;
          }
        }
      }
    }
    if (crashed != null) {
      listener.failed("Extension.Crash", "extension " + crashed + " exited while waiting for its next event");
    }
  }

  /**
   * The extension process {@code name} (its file name, which AWS has extensions register as) exited:
   * after a shutdown began it is done with it; before, it is an extension crash (whether it waited
   * in {@code next}, held an event, or never registered).
   */
  void exited(String name) {
    boolean crash = false;
    synchronized (this) {
      if (shuttingDown) {
        for (Ext e : byId.values()) {
          if (e.name.equals(name)) {
            e.events.clear();
            e.busy = false;
          }
        }
        checkShutdown();
      } else if (!failed) {
        failed = true;
        crash = true;
      }
    }
    if (crash) {
      listener.failed("Extension.Crash", "extension " + name + " exited");
    }
  }

  /** An extension's {@code init/error} or {@code exit/error}. */
  void reportedError(String id, boolean atInit, String errorType, byte[] body) throws Refused {
    String name;
    synchronized (this) {
      Ext e = id == null ? null : byId.get(id);
      if (e == null) {
        throw new Refused(403, "Extension.UnknownExtensionIdentifier", "unknown Lambda-Extension-Identifier " + id);
      }
      if (failed) {
        return;
      }
      failed = true;
      name = e.name;
    }
    String type = errorType == null || errorType.isBlank() ? "Extension.Unknown" : errorType;
    listener.failed(type, "extension " + name + " reported " + (atInit ? "init" : "exit") + " error " + type + ": "
        + new String(body, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Closes every parked poll (the endpoint is closing). */
  void close() {
    List<ChannelHandlerContext> polls = new ArrayList<>();
    synchronized (this) {
      failed = true; // closing polls is not a crash
      for (Ext e : byId.values()) {
        if (e.poll != null) {
          polls.add(e.poll);
          e.poll = null;
        }
      }
      held.clear();
      shutdownDone.complete(null);
    }
    polls.forEach(ChannelHandlerContext::close);
  }

  /** The registered extensions' names, in registration order (for tests and the log). */
  synchronized List<String> names() {
    return byId.values().stream().map(e -> e.name).toList();
  }

  private static void sendEvent(ChannelHandlerContext ctx, byte[] event) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(event));
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, event.length)
        .set("Lambda-Extension-Event-Identifier", UUID.randomUUID().toString());
    ctx.writeAndFlush(res);
  }
}
