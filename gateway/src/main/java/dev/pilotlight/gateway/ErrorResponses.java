package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Failure;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The one place where failures become HTTP statuses and JSON error bodies. */
public final class ErrorResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  public static HttpResponseStatus status(Failure f) {
    return switch (f) {
      case Failure.InvalidInput e -> HttpResponseStatus.BAD_REQUEST;
      case Failure.FunctionNotFound e -> HttpResponseStatus.NOT_FOUND;
      case Failure.NotFound e -> HttpResponseStatus.NOT_FOUND;
      case Failure.Conflict e -> HttpResponseStatus.CONFLICT;
      case Failure.PayloadTooLarge e -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
      case Failure.QueueFull e -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case Failure.QueueTimeout e -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case Failure.NoCapacity e -> HttpResponseStatus.TOO_MANY_REQUESTS;
      case Failure.FunctionTimeout e -> HttpResponseStatus.GATEWAY_TIMEOUT;
      case Failure.InstanceFailed e -> HttpResponseStatus.BAD_GATEWAY;
      case Failure.Unavailable e -> HttpResponseStatus.SERVICE_UNAVAILABLE;
    };
  }

  /** Unwraps future wrappers; anything that is not a named failure is an internal error. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  public static FullHttpResponse of(Throwable error) {
    Throwable t = unwrap(error);
    HttpResponseStatus status;
    String code;
    String message;
    if (t instanceof Failure f) {
      status = status(f);
      code = f.code();
      message = f.getMessage();
    } else {
      status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
      code = "InternalError";
      message = t.getClass().getSimpleName() + ": " + t.getMessage();
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", message);
    FullHttpResponse res = json(status, body);
    if (t instanceof Failure f && retryAfterSeconds(f) > 0) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, Integer.toString(retryAfterSeconds(f)));
    }
    return res;
  }

  /**
   * The {@code Retry-After} of a request that was not run because the function or the node had no
   * room for it (a full queue, a queue wait that ran out, no memory for another instance); 0 for
   * other failures, and for a function stopped by a reserved concurrency of 0 (a retry in a second
   * would meet the same). One second: queues drain and instances start within about that.
   */
  public static int retryAfterSeconds(Failure f) {
    return isThrottle(f) && !(f instanceof Failure.QueueFull q && !q.retryLater()) ? 1 : 0;
  }

  /**
   * Whether {@code f} kept a call from running for want of room (a full queue, a queue wait that ran
   * out, no memory for an instance, a reserved concurrency of 0): a throttle in the metrics, not an
   * error.
   */
  public static boolean isThrottle(Failure f) {
    return f instanceof Failure.QueueFull || f instanceof Failure.QueueTimeout || f instanceof Failure.NoCapacity;
  }

  public static FullHttpResponse json(HttpResponseStatus status, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return res;
  }
}
