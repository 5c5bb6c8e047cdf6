package dev.pilotlight.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pilotlight.activation.async.AsyncDispatcher;
import dev.pilotlight.activation.async.Destinations;
import dev.pilotlight.activation.async.Outcome;
import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.Destination;
import dev.pilotlight.model.EventQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Sends asynchronous invocations' outcomes as Lambda does
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html): to an
 * on-success or on-failure destination, an invocation record ({@code version}, {@code timestamp},
 * {@code requestContext} with the condition and invoke count, {@code requestPayload}, and when the
 * function ran {@code responseContext} and {@code responsePayload}); to a dead-letter target, the
 * event's payload as it was, with its {@code RequestID}, {@code ErrorCode} and {@code ErrorMessage}
 * as message attributes. A function destination gets it as an asynchronous invocation, stored in
 * the same durable queue before this returns; a queue destination as a persistent message the broker
 * confirmed.
 */
public final class AsyncDestinations implements Destinations {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Lambda's limit on a dead-letter message's {@code ErrorMessage} attribute. */
  static final int MAX_ERROR_MESSAGE = 1024;

  private final EventQueue queue;
  private final AsyncDispatcher.Specs specs;
  private final Runnable queued;
  private final QueuePublisher publisher;

  /**
   * @param queued told after an event was queued for a function destination, so it runs at once
   */
  public AsyncDestinations(EventQueue queue, AsyncDispatcher.Specs specs, Runnable queued, QueuePublisher publisher) {
    this.queue = queue;
    this.specs = specs;
    this.queued = queued;
    this.publisher = publisher;
  }

  @Override
  public String send(Destination to, Delivery d) throws Exception {
    byte[] body = d.kind() == Kind.DEAD_LETTER ? d.event().payload() : record(d);
    return switch (to) {
      case Destination.Function f -> {
        if (specs.find(f.target()).isEmpty()) {
          throw new IllegalStateException("function '" + f.function() + "' does not exist");
        }
        String requestId = UUID.randomUUID().toString();
        queue.enqueue(f.target(), requestId, body, d.at());
        queued.run();
        yield "request " + requestId;
      }
      case Destination.Queue q -> {
        publisher.publish(q.uri(), body, d.kind() == Kind.DEAD_LETTER ? attributes(d) : Map.of());
        yield "confirmed by the broker";
      }
    };
  }

  /** Lambda's invocation record for a destination. */
  static byte[] record(Delivery d) {
    AsyncEvent e = d.event();
    int colon = e.function().indexOf(':');
    String qualifier = colon < 0 ? "$LATEST" : e.function().substring(colon + 1);
    String name = colon < 0 ? e.function() : e.function().substring(0, colon);
    ObjectNode r = JSON.createObjectNode();
    r.put("version", "1.0");
    r.put("timestamp", d.at().truncatedTo(ChronoUnit.MILLIS).toString());
    ObjectNode context = r.putObject("requestContext");
    context.put("requestId", e.requestId());
    context.put("functionArn", "arn:aws:lambda:us-east-1:000000000000:function:" + name + ":" + qualifier);
    context.put("condition", d.condition());
    context.put("approximateInvokeCount", d.invokeCount());
    r.set("requestPayload", json(e.payload()));
    switch (d.outcome()) {
      case Outcome.Succeeded s -> {
        response(r, qualifier, null);
        r.set("responsePayload", s.response() == null ? null : json(s.response()));
      }
      case Outcome.FunctionError f -> {
        response(r, qualifier, "Unhandled");
        r.set("responsePayload", f.document() != null ? json(f.document()) : JSON.createObjectNode().put("errorMessage", f.error()));
      }
      case Outcome.Throttled t -> {} // it never ran: no response (as Lambda's EventAgeExceeded record)
      case Outcome.Gone g -> {}
    }
    try {
      return JSON.writeValueAsBytes(r);
    } catch (IOException e2) {
      throw new IllegalStateException(e2);
    }
  }

  private static void response(ObjectNode r, String qualifier, String functionError) {
    ObjectNode rc = r.putObject("responseContext");
    rc.put("statusCode", 200);
    rc.put("executedVersion", qualifier);
    if (functionError != null) {
      rc.put("functionError", functionError);
    }
  }

  /** A payload as JSON where it is JSON, else as a string. */
  private static JsonNode json(byte[] payload) {
    try {
      JsonNode n = JSON.readTree(payload);
      return n == null || n.isMissingNode() ? JSON.getNodeFactory().textNode("") : n;
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(new String(payload, StandardCharsets.UTF_8));
    }
  }

  /** A dead-letter message's attributes, as Lambda sets them on an SQS or SNS dead-letter message. */
  static Map<String, String> attributes(Delivery d) {
    String error = switch (d.outcome()) {
      case Outcome.FunctionError f -> f.error();
      case Outcome.Throttled t -> t.reason();
      case Outcome.Gone g -> g.reason();
      case Outcome.Succeeded s -> "";
    };
    Map<String, String> a = new LinkedHashMap<>();
    a.put("RequestID", d.event().requestId());
    a.put("ErrorCode", "200");
    a.put("ErrorMessage", error.length() > MAX_ERROR_MESSAGE ? error.substring(0, MAX_ERROR_MESSAGE) : error);
    return a;
  }
}
