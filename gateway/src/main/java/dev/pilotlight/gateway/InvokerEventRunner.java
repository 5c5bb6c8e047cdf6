package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.activation.async.EventRunner;
import dev.pilotlight.activation.async.Outcome;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Runs asynchronous events through {@link FunctionInvoker#invokeEvent} (the same path as a
 * synchronous Invoke) and says what each attempt came to: a function error costs a retry, as do a
 * timeout, a crash and an init failure (Lambda counts those as function errors too); a full queue,
 * no instance free in time or a shutdown cost none.
 */
public final class InvokerEventRunner implements EventRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_CHARS = 4096;

  private final FunctionInvoker invoker;

  public InvokerEventRunner(FunctionInvoker invoker) {
    this.invoker = invoker;
  }

  @Override
  public CompletableFuture<Outcome> run(String function, String requestId, byte[] payload) {
    // Queued by Lambda's Invoke (Event): without a qualifier it runs $LATEST, as on Lambda, not the URL's traffic split.
    String target = function.indexOf(':') < 0 ? function + ":$LATEST" : function;
    return invoker.invokeEvent(target, requestId, payload).handle((result, error) ->
        error != null ? notRun(ErrorResponses.unwrap(error), requestId) : ran(result, requestId));
  }

  static Outcome ran(InvokeResult result, String requestId) {
    if (result.failure() != null) {
      Failure f = result.failure();
      return new Outcome.FunctionError(AwsErrorResponses.functionErrorType(f) + ": " + AwsErrorResponses.functionErrorMessage(f, requestId));
    }
    LambdaResponse res = result.response();
    return res.isError() ? new Outcome.FunctionError(describe(res), res.payload()) : new Outcome.Succeeded(res.payload());
  }

  static Outcome notRun(Throwable t, String requestId) {
    return switch (t) {
      case Failure.FunctionNotFound f -> new Outcome.Gone(f.getMessage());
      case Failure.InvalidInput f -> new Outcome.Gone(f.getMessage()); // an http app: no attempt can succeed
      case Failure.InstanceFailed f -> new Outcome.FunctionError(AwsErrorResponses.functionErrorType(f) + ": " + f.getMessage());
      default -> new Outcome.Throttled(t instanceof Failure ? t.getMessage() : t.toString());
    };
  }

  /** {@code errorType: errorMessage} from the runtime's error document, or its raw text. */
  static String describe(LambdaResponse res) {
    String text;
    try {
      JsonNode doc = JSON.readTree(res.payload());
      String type = doc.path("errorType").asText(res.errorType());
      text = doc.has("errorMessage") ? type + ": " + doc.get("errorMessage").asText() : type + ": " + doc;
    } catch (IOException | RuntimeException notJson) {
      text = res.errorType() + ": " + new String(res.payload(), StandardCharsets.UTF_8);
    }
    return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text;
  }
}
