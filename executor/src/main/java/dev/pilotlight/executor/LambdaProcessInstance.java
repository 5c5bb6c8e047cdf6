package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.runtimeapi.RuntimeApiEndpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An instance that speaks the Lambda Runtime API through its own endpoint. */
final class LambdaProcessInstance extends ProcessInstance {
  private final RuntimeApiEndpoint endpoint;

  LambdaProcessInstance(String id, Deployment deployment, Duration stopGrace, String strategy, RuntimeApiEndpoint endpoint) {
    super(id, deployment, stopGrace, strategy);
    this.endpoint = endpoint;
    endpoint.onDispatch(this::currentRequest);
  }

  RuntimeApiEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public InetSocketAddress httpAddress() {
    return null;
  }

  @Override
  public CompletableFuture<LambdaResponse> invoke(LambdaRequest request) {
    CompletableFuture<LambdaResponse> f = endpoint.invoke(request);
    // Abandon on timeout (caller cancels or completes it) so a late answer is ignored.
    f.whenComplete((r, t) -> {
      if (t != null) {
        endpoint.abandon(request.requestId());
      }
    });
    // Passed on once everything the invocation printed is logged as its own (the runtime says how much that was).
    return f.thenCompose(r -> r.written() == null ? CompletableFuture.completedFuture(r)
        : output().caughtUp(request.requestId(), r.written().stdout(), r.written().stderr()).thenApply(x -> r));
  }

  /**
   * Stops the instance; its external extensions subscribed to {@code SHUTDOWN} get it first
   * (reason {@code spindown}, deadline the stop grace) and the process is signalled once they are
   * done with it or the grace is over. Without extensions, a plain stop.
   */
  @Override
  public CompletableFuture<Void> stop() {
    if (endpoint.extensionsExpected() == 0 || !alive()) {
      return super.stop();
    }
    Duration grace = stopGrace();
    return endpoint.shutdownExtensions("spindown", Instant.now().plus(grace))
        .completeOnTimeout(null, grace.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(x -> super.stop());
  }

  /**
   * With extensions, each output line also goes to the Telemetry API: as an {@code extension} record
   * when an extension wrote it (marked, see ExternalExtensions.MARK; the mark is not logged), else as
   * a {@code function} record.
   */
  @Override
  void attach(Process process, InstanceLogSink sink) {
    if (endpoint.extensionsExpected() == 0) {
      super.attach(process, sink);
      return;
    }
    super.attach(process, (function, instanceId, requestId, line) -> {
      if (line.length() > 1 && line.charAt(0) == ExternalExtensions.MARK && line.charAt(1) == ExternalExtensions.EXITED) {
        String name = line.substring(2);
        sink.line(function, instanceId, requestId, "EXTENSION " + name + " exited");
        endpoint.extensionExited(name);
      } else if (!line.isEmpty() && line.charAt(0) == ExternalExtensions.MARK) {
        String text = line.substring(1);
        sink.line(function, instanceId, requestId, text);
        endpoint.extensionLine(text);
      } else {
        sink.line(function, instanceId, requestId, line);
        endpoint.functionLine(line);
      }
    });
  }

  @Override
  void onExit(String reason) {
    endpoint.close(reason);
  }
}
