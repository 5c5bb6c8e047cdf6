package dev.pilotlight.runtimeapi;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One instance's Runtime API. Events given to {@link #invoke} wait until the runtime polls
 * {@code /next} (or are handed at once to a poll that is already waiting); the runtime's
 * {@code /response} or {@code /error} completes the invocation's future.
 *
 * <p>Invariant: an event is either in {@code pending} or sent to exactly one poll; its future is in
 * {@code inFlight} from {@link #invoke} until it completes. All state is guarded by {@code this}.
 */
public final class RuntimeApiEndpoint implements AutoCloseable {
  private volatile String instanceId;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<byte[]> initError = new CompletableFuture<>();
  private final ArrayDeque<LambdaRequest> pending = new ArrayDeque<>();
  private final ArrayDeque<ChannelHandlerContext> polls = new ArrayDeque<>();
  private final Map<String, CompletableFuture<LambdaResponse>> inFlight = new HashMap<>();
  /** The requests in {@code inFlight} whose callers take a streamed response as it comes. */
  private final Set<String> streamCallers = new HashSet<>();
  private volatile Consumer<String> onDispatch = id -> {};
  /** The uid a caller must run as; -1: anyone who can connect (no sandbox). */
  private volatile int ownerUid = -1;
  /** The instance's external extensions; null (and no work on any path) when it has none. */
  private volatile Extensions extensions;
  /** With extensions: the Telemetry API, and when each event went to the runtime (for its records). */
  private volatile Telemetry telemetry;
  private volatile Map<String, Long> startedNanos;
  /** With extensions: answered invocations waiting for the extensions to be done (failed if the instance closes first). */
  private volatile Map<String, CompletableFuture<LambdaResponse>> answered;
  private volatile int memoryMb;
  private Channel serverChannel;
  private boolean closed;
  private String closeReason;

  RuntimeApiEndpoint(String instanceId) {
    this.instanceId = instanceId;
  }

  void bound(Channel channel) {
    this.serverChannel = channel;
  }

  /** Gives a spare endpoint (bound ahead, see RuntimeApiServer) its instance. */
  void assign(String instanceId) {
    this.instanceId = instanceId;
  }

  /**
   * Lets only processes running as {@code uid} (the instance's sandbox uid) call this endpoint: a
   * connection from any other is closed before it is read. Negative: anyone (no sandbox).
   */
  public void ownedBy(int uid) {
    this.ownerUid = uid;
  }

  int ownerUid() {
    return ownerUid;
  }

  /** Whether nothing has happened on this endpoint yet: no poll, no event, not closed. */
  synchronized boolean pristine() {
    return !closed && !ready.isDone() && !initError.isDone() && polls.isEmpty() && pending.isEmpty() && inFlight.isEmpty()
        && serverChannel != null && serverChannel.isActive();
  }

  /** The {@code host:port} to put in {@code AWS_LAMBDA_RUNTIME_API}. */
  public String address() {
    InetSocketAddress a = (InetSocketAddress) serverChannel.localAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  /** Completes the first time the runtime asks for an event, i.e. when its init is done. */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /** Completes with the error JSON if the runtime reports {@code /init/error}. */
  public CompletableFuture<byte[]> initError() {
    return initError;
  }

  /**
   * Tells the endpoint that {@code count} external extensions are starting beside the runtime
   * (before the process starts): its init is then done only when all of them have registered and
   * called {@code event/next} as well as the runtime, and each invocation completes only once they
   * are all back in {@code event/next} (see Extensions).
   */
  public void expectExtensions(int count, String functionName, String functionVersion, String handler, int memoryMb) {
    this.memoryMb = memoryMb;
    startedNanos = new java.util.concurrent.ConcurrentHashMap<>();
    answered = new java.util.concurrent.ConcurrentHashMap<>();
    telemetry = new Telemetry(this::ownerUid);
    telemetry.platform("platform.initStart", PlatformRecords.initStart(functionName, functionVersion));
    extensions = new Extensions(count, new Extensions.Identity(functionName, functionVersion, handler), new Extensions.Listener() {
      @Override
      public void initDone() {
        ready.complete(null);
      }

      @Override
      public void runtimeInitDone() {
        telemetry.platform("platform.initRuntimeDone", PlatformRecords.initRuntimeDone());
      }

      @Override
      public void idle(java.util.List<Runnable> held) {
        held.forEach(Runnable::run);
        dispatchParked();
      }

      @Override
      public void failed(String errorType, String message) {
        String json = "{\"errorType\":\"" + errorType + "\",\"errorMessage\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        if (!ready.isDone()) {
          initError.complete(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        close(errorType + ": " + message);
      }
    });
  }

  /** How many external extensions this endpoint was told to expect (0: none). */
  public int extensionsExpected() {
    Extensions e = extensions;
    return e == null ? 0 : e.expected();
  }

  Telemetry telemetry() {
    return telemetry;
  }

  /**
   * A line the instance wrote while serving {@code requestId} (null: none), for Telemetry API
   * subscribers of {@code function} records; nothing is done without extensions or subscribers.
   */
  public void functionLine(String line) {
    Telemetry t = telemetry;
    if (t != null) {
      t.line("function", line);
    }
  }

  /** The external extension process {@code name} (its file name) exited (see Extensions.exited). */
  public void extensionExited(String name) {
    Extensions e = extensions;
    if (e != null) {
      e.exited(name);
    }
  }

  /** A line an external extension wrote, for Telemetry API subscribers of {@code extension} records. */
  public void extensionLine(String line) {
    Telemetry t = telemetry;
    if (t != null) {
      t.line("extension", line);
    }
  }

  Extensions extensions() {
    return extensions;
  }

  /**
   * Sends {@code SHUTDOWN} (reason {@code spindown}, {@code timeout} or {@code failure}, deadline
   * {@code deadline}) to the extensions that subscribed to it; completes when they are done with it
   * (back in {@code event/next} or gone). Completes at once for an instance without extensions.
   */
  public CompletableFuture<Void> shutdownExtensions(String reason, java.time.Instant deadline) {
    Extensions e = extensions;
    return e == null ? CompletableFuture.completedFuture(null) : e.shutdown(reason, deadline);
  }

  /** Called with the request id each time an event is handed to the runtime. */
  public void onDispatch(Consumer<String> listener) {
    this.onDispatch = listener;
  }

  /** Queues one event for the runtime; the future completes with its response or error. */
  public CompletableFuture<LambdaResponse> invoke(LambdaRequest request) {
    CompletableFuture<LambdaResponse> result = new CompletableFuture<>();
    ChannelHandlerContext poll;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new Failure.InstanceFailed(closeReason));
      }
      if (inFlight.putIfAbsent(request.requestId(), result) != null) {
        return CompletableFuture.failedFuture(new IllegalStateException("duplicate request id " + request.requestId()));
      }
      if (request.acceptsStream()) {
        streamCallers.add(request.requestId());
      }
      Extensions ext = extensions;
      poll = ext == null || ext.idle() ? polls.pollFirst() : null;
      if (poll == null) {
        pending.addLast(request);
        return result;
      }
    }
    deliver(poll, request);
    return result;
  }

  /** Forgets a request the caller gave up on (timeout); a late answer is then ignored. */
  public synchronized void abandon(String requestId) {
    if (extensions != null) {
      startedNanos.remove(requestId);
      answered.remove(requestId);
    }
    inFlight.remove(requestId);
    streamCallers.remove(requestId);
    pending.removeIf(r -> r.requestId().equals(requestId));
  }

  synchronized int inFlightCount() {
    return inFlight.size();
  }

  // ---- called by RuntimeApiHandler on the event loop ----

  void next(ChannelHandlerContext ctx) {
    Extensions ext = extensions;
    if (ext == null) {
      ready.complete(null);
    } else {
      ext.runtimeNext();
    }
    LambdaRequest request;
    synchronized (this) {
      if (closed) {
        RuntimeApiHandler.sendError(ctx, 410, "Runtime.Gone", closeReason);
        return;
      }
      // With extensions, the next event waits until every extension is done with the last one.
      request = ext == null || ext.idle() ? pending.pollFirst() : null;
      if (request == null) {
        polls.addLast(ctx);
        return;
      }
    }
    deliver(ctx, request);
  }

  void pollClosed(ChannelHandlerContext ctx) {
    synchronized (this) {
      polls.remove(ctx);
    }
  }

  /** An extension's parked {@code event/next} connection closed. */
  void extensionPollClosed(ChannelHandlerContext ctx) {
    Extensions ext = extensions;
    if (ext != null) {
      ext.pollClosed(ctx);
    }
  }

  /** Extensions became idle: a runtime poll parked while they were busy gets the next pending event. */
  private void dispatchParked() {
    ChannelHandlerContext poll;
    LambdaRequest request;
    synchronized (this) {
      if (closed || pending.isEmpty() || polls.isEmpty()) {
        return;
      }
      poll = polls.pollFirst();
      request = pending.pollFirst();
    }
    deliver(poll, request);
  }

  /** Returns false when the id is unknown (never issued, already answered or abandoned). */
  boolean complete(String requestId, LambdaResponse response) {
    CompletableFuture<LambdaResponse> f;
    synchronized (this) {
      f = inFlight.remove(requestId);
      if (!streamCallers.isEmpty()) {
        streamCallers.remove(requestId);
      }
    }
    if (f == null) {
      return false;
    }
    Extensions ext = extensions;
    if (ext == null) {
      f.complete(response);
    } else {
      Long started = startedNanos.remove(requestId);
      double ms = started == null ? 0 : (System.nanoTime() - started) / 1e6;
      String status = response.errorType() == null ? "success" : "error";
      telemetry.platform("platform.runtimeDone", PlatformRecords.runtimeDone(requestId, status, ms));
      answered.put(requestId, f);
      ext.whenIdle(() -> {
        if (answered.remove(requestId, f)) {
          telemetry.platform("platform.report", PlatformRecords.report(requestId, status, ms, memoryMb));
          f.complete(response);
        }
      });
    }
    return true;
  }

  /**
   * The runtime began a streamed response to {@code requestId} on {@code channel}. A caller that
   * takes streams gets it now, as a {@link dev.pilotlight.model.ResponseStream}; for any other the
   * body is collected whole (up to the 6 MB limit) and the invocation completes when it ends.
   * Returns where the body goes, or null when the id is unknown (never issued, answered or abandoned).
   */
  BodySink streamStarted(String requestId, Channel channel, String contentType) {
    CompletableFuture<LambdaResponse> f;
    synchronized (this) {
      f = inFlight.get(requestId);
      if (f == null) {
        return null;
      }
      if (!streamCallers.remove(requestId)) {
        return new StreamCollector(this, requestId, RuntimeApiServer.MAX_RESPONSE_BYTES);
      }
      inFlight.remove(requestId);
    }
    StreamedResponse stream = new StreamedResponse(channel, contentType);
    f.complete(LambdaResponse.streamed(stream));
    return stream;
  }

  void initFailed(byte[] errorJson) {
    initError.complete(errorJson);
  }

  private void deliver(ChannelHandlerContext ctx, LambdaRequest request) {
    onDispatch.accept(request.requestId());
    Extensions ext = extensions;
    if (ext != null) {
      startedNanos.put(request.requestId(), System.nanoTime());
      telemetry.platform("platform.start", PlatformRecords.start(request.requestId(), ext.identity().functionVersion()));
      ext.invoked(request);
    }
    RuntimeApiHandler.sendEvent(ctx, request);
  }

  /** Fails everything still waiting with {@code reason} and unbinds the port. Idempotent. */
  public void close(String reason) {
    Map<String, CompletableFuture<LambdaResponse>> failed;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closeReason = reason;
      failed = new HashMap<>(inFlight);
      inFlight.clear();
      streamCallers.clear();
      pending.clear();
      polls.forEach(ctx -> ctx.close());
      polls.clear();
    }
    Failure.InstanceFailed error = new Failure.InstanceFailed(reason);
    failed.values().forEach(f -> f.completeExceptionally(error));
    Map<String, CompletableFuture<LambdaResponse>> held = answered;
    if (held != null) {
      held.values().forEach(f -> f.completeExceptionally(error));
      held.clear();
    }
    ready.completeExceptionally(error);
    Extensions ext = extensions;
    if (ext != null) {
      ext.close();
      telemetry.close();
    }
    if (serverChannel != null) {
      serverChannel.close();
    }
  }

  @Override
  public void close() {
    close("instance " + instanceId + " stopped");
  }
}
