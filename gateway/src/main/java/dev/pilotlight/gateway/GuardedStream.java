package dev.pilotlight.gateway;

import dev.pilotlight.model.ResponseStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A streamed response while its invocation is still running: the lease is held and the function's
 * timeout runs until the stream ends, not until it starts. The end (the runtime's, or a timeout's,
 * whichever comes first) is told once to {@code finished} with the invocation's outcome — before
 * the subscriber hears of it, so the invocation's REPORT line is logged by then — then to the subscriber.
 * Calls to the subscriber are serialised: chunks come from the runtime's connection, a timeout from a timer.
 */
final class GuardedStream implements ResponseStream, ResponseStream.Subscriber {
  private final ResponseStream inner;
  private final Consumer<String> finished;
  private Subscriber downstream;
  private boolean ended;
  private volatile InvocationTimer.Timeout timer;

  /** @param finished gets the outcome: {@code success}, {@code function_error}, {@code crash} or {@code timeout} */
  GuardedStream(ResponseStream inner, Consumer<String> finished) {
    this.inner = inner;
    this.finished = finished;
  }

  void timer(InvocationTimer.Timeout t) {
    this.timer = t;
  }

  @Override
  public String contentType() {
    return inner.contentType();
  }

  @Override
  public void subscribe(Subscriber s) {
    synchronized (this) {
      downstream = s;
    }
    inner.subscribe(this);
  }

  @Override
  public void pause() {
    inner.pause();
  }

  @Override
  public void resume() {
    inner.resume();
  }

  @Override
  public synchronized void chunk(byte[] bytes) {
    if (!ended) {
      downstream.chunk(bytes);
    }
  }

  @Override
  public void end(String errorType, byte[] errorJson) {
    finish(errorType == null ? "success" : errorType.equals("Runtime.ExitError") ? "crash" : "function_error", errorType, errorJson);
  }

  /** The function's time ran out mid-stream: the subscriber hears {@code Sandbox.Timedout}; what the runtime sends after is dropped. */
  void timedOut(String message) {
    String json = "{\"errorMessage\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"errorType\":\"Sandbox.Timedout\"}";
    finish("timeout", "Sandbox.Timedout", json.getBytes(StandardCharsets.UTF_8));
    inner.resume(); // drain whatever the runtime still sends until its instance is replaced
  }

  private void finish(String outcome, String errorType, byte[] errorJson) {
    Subscriber s;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      s = downstream;
    }
    InvocationTimer.Timeout t = timer;
    if (t != null) {
      t.cancel();
    }
    finished.accept(outcome);
    synchronized (this) {
      if (s != null) {
        s.end(errorType, errorJson);
      }
    }
  }
}
