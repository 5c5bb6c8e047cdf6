package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where failures become the Lambda API's errors ({@code /2015-03-31/…}), the twin of
 * {@link ErrorResponses} for the native API. An error is a status, an {@code x-amzn-ErrorType}
 * header naming the exception and a JSON body {@code {"Type": "User"|"Service", "message": …}}:
 * AWS's SDKs and CLI take the exception name from that header and the text from {@code message},
 * so they report {@code ResourceNotFoundException} and the others by name.
 *
 * <p>A run that failed (a timeout, a crash, an init failure) is not an API error: as on Lambda it is
 * a function error ({@code 200}, {@code X-Amz-Function-Error: Unhandled}) with an error document
 * naming Lambda's error type ({@link #functionErrorType}).
 */
public final class AwsErrorResponses {
  private AwsErrorResponses() {}

  /** An API error: one that kept the request from running. */
  public static FullHttpResponse of(Throwable error) {
    Throwable t = ErrorResponses.unwrap(error);
    String message = t instanceof Failure ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
    FullHttpResponse res = switch (t) {
      case Failure.InvalidInput f -> error(HttpResponseStatus.BAD_REQUEST, "InvalidParameterValueException", message);
      case Failure.FunctionNotFound f -> error(HttpResponseStatus.NOT_FOUND, "ResourceNotFoundException",
          "Function not found: " + LambdaNames.arn(f.name()));
      case Failure.NotFound f -> error(HttpResponseStatus.NOT_FOUND, "ResourceNotFoundException", message);
      case Failure.Conflict f -> error(HttpResponseStatus.CONFLICT, "ResourceConflictException", message);
      case LambdaEventInvokeConfigs.NoConfig f -> error(HttpResponseStatus.NOT_FOUND, "ResourceNotFoundException", f.getMessage());
      case LambdaPolicies.NoPolicy f -> error(HttpResponseStatus.NOT_FOUND, "ResourceNotFoundException", f.getMessage());
      case LambdaPolicies.PreconditionFailed f -> error(HttpResponseStatus.PRECONDITION_FAILED, "PreconditionFailedException", f.getMessage());
      case Failure.PayloadTooLarge f -> error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "RequestTooLargeException", message);
      case InvokePayloads.NotJson f -> error(HttpResponseStatus.BAD_REQUEST, "InvalidRequestContentException", f.getMessage());
      // A full queue, or no instance free within the wait: Lambda's answer to a caller over its
      // concurrency is a throttle, which SDKs retry.
      case Failure.QueueFull f -> throttled(message, f.reserved(), ErrorResponses.retryAfterSeconds(f));
      case Failure.QueueTimeout f -> throttled(message, f.reserved(), ErrorResponses.retryAfterSeconds(f));
      case Failure.NoCapacity f -> throttled(message, false, ErrorResponses.retryAfterSeconds(f));
      case Failure.FunctionTimeout f -> throttled(message, false, 1); // the native API's 504; here a throttle, which SDKs retry
      case Failure.Unavailable f -> error(HttpResponseStatus.SERVICE_UNAVAILABLE, "ServiceException", message);
      case Failure.InstanceFailed f -> error(HttpResponseStatus.BAD_GATEWAY, "ServiceException", message);
      default -> error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "ServiceException", message);
    };
    return res;
  }

  /** An error of the Lambda API that has no {@link Failure}, e.g. an operation Pilotlight does not implement. */
  public static FullHttpResponse error(HttpResponseStatus status, String type, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Type", status.code() >= 500 ? "Service" : "User");
    body.put("message", message);
    FullHttpResponse res = ErrorResponses.json(status, body);
    res.headers().set("x-amzn-ErrorType", type);
    return res;
  }

  /**
   * Lambda's throttle. Its {@code Reason} tells a function over its own reserved concurrency
   * ({@code ReservedFunctionConcurrentInvocationLimitExceeded}) from one that met the account's
   * limit, here the node's ({@code ConcurrentInvocationLimitExceeded}). {@code Retry-After} as
   * {@link ErrorResponses#retryAfterSeconds} says (none when 0: a function stopped by a reserved
   * concurrency of 0).
   */
  private static FullHttpResponse throttled(String message, boolean reserved, int retryAfterSeconds) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Type", "User");
    body.put("message", message);
    body.put("Reason", reserved ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded");
    FullHttpResponse res = ErrorResponses.json(HttpResponseStatus.TOO_MANY_REQUESTS, body);
    res.headers().set("x-amzn-ErrorType", "TooManyRequestsException");
    if (retryAfterSeconds > 0) {
      res.headers().set(HttpHeaderNames.RETRY_AFTER, Integer.toString(retryAfterSeconds));
    }
    return res;
  }

  /** Whether {@code f}, met before or during a run, is the function's failure rather than the API's. */
  public static boolean isFunctionFailure(Failure f) {
    return f instanceof Failure.InstanceFailed;
  }

  /** Lambda's {@code errorType} for a run that failed: {@code Sandbox.Timedout} or {@code Runtime.ExitError}. */
  public static String functionErrorType(Failure f) {
    if (f instanceof Failure.FunctionTimeout) {
      return "Sandbox.Timedout";
    }
    return f instanceof Failure.InstanceFailed i && i.outOfMemory() ? Failure.InstanceFailed.OUT_OF_MEMORY : "Runtime.ExitError";
  }

  /** The error document Lambda returns for a run that failed, as {@code {errorType, errorMessage}}. */
  public static Map<String, Object> functionErrorDocument(Failure f, String requestId) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("errorType", functionErrorType(f));
    doc.put("errorMessage", functionErrorMessage(f, requestId));
    return doc;
  }

  /**
   * Lambda's {@code errorMessage} for a run that failed: {@code RequestId: ID Error: …}, where a
   * timeout is worded as Lambda words it ({@code Task timed out after 3.00 seconds}), which tools
   * match on; other failures say what happened in Pilotlight's words.
   */
  public static String functionErrorMessage(Failure f, String requestId) {
    String what = f instanceof Failure.FunctionTimeout t && t.timeout().isPresent() ? timedOut(t.timeout().get()) : f.getMessage();
    return "RequestId: " + requestId + " Error: " + what;
  }

  /** Lambda's words for a run past its timeout. */
  static String timedOut(Duration timeout) {
    return "Task timed out after " + FunctionInvoker.twoDecimals(timeout.toMillis() / 1000.0) + " seconds";
  }
}
