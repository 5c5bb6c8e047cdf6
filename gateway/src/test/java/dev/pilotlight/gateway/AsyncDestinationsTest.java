package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.activation.async.Destinations;
import dev.pilotlight.activation.async.Outcome;
import dev.pilotlight.model.AsyncEvent;
import dev.pilotlight.model.Destination;
import dev.pilotlight.model.EventQueue;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lambda's invocation records and dead-letter messages, and where each kind of destination puts them. */
class AsyncDestinationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-12-05T01:02:03.456789Z");

  private final List<String> enqueued = new ArrayList<>();
  private final List<String> published = new ArrayList<>();
  private int wakes;

  private final EventQueue queue = (EventQueue) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {EventQueue.class}, (p, m, a) -> {
        if (!m.getName().equals("enqueue")) {
          throw new UnsupportedOperationException(m.getName());
        }
        enqueued.add(a[0] + " " + new String((byte[]) a[2], StandardCharsets.UTF_8));
        return new AsyncEvent(1, (String) a[0], (String) a[1], (byte[]) a[2], (Instant) a[3], 0, null, null);
      });

  private final AsyncDestinations destinations = new AsyncDestinations(queue,
      name -> name.startsWith("audit") ? Optional.of(FunctionSpec.of("audit", Runtime.PYTHON, "app.handler", null)) : Optional.empty(),
      () -> wakes++, (uri, body, headers) -> published.add(uri + " " + new String(body, StandardCharsets.UTF_8) + " " + headers));

  private static AsyncEvent event(String function, String payload) {
    return new AsyncEvent(7, function, "req-1", payload.getBytes(StandardCharsets.UTF_8), AT.minusSeconds(60), 1, null, null);
  }

  @Test
  void aFailureRecordHasLambdasShapeWithTheRequestAndTheFunctionsErrorDocument() throws Exception {
    byte[] doc = "{\"errorType\":\"IllegalStateException\",\"errorMessage\":\"boom\"}".getBytes(StandardCharsets.UTF_8);
    JsonNode r = JSON.readTree(AsyncDestinations.record(new Destinations.Delivery(Destinations.Kind.ON_FAILURE, event("orders:live", "{\"order\":7}"),
        "RetriesExhausted", 3, new Outcome.FunctionError("IllegalStateException: boom", doc), AT)));
    assertThat(r.path("version").asText()).isEqualTo("1.0");
    assertThat(r.path("timestamp").asText()).isEqualTo("2026-12-05T01:02:03.456Z");
    assertThat(r.path("requestContext").path("requestId").asText()).isEqualTo("req-1");
    assertThat(r.path("requestContext").path("functionArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:orders:live");
    assertThat(r.path("requestContext").path("condition").asText()).isEqualTo("RetriesExhausted");
    assertThat(r.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(3);
    assertThat(r.path("requestPayload").path("order").asInt()).isEqualTo(7);
    assertThat(r.path("responseContext").path("statusCode").asInt()).isEqualTo(200);
    assertThat(r.path("responseContext").path("executedVersion").asText()).isEqualTo("live");
    assertThat(r.path("responseContext").path("functionError").asText()).isEqualTo("Unhandled");
    assertThat(r.path("responsePayload").path("errorMessage").asText()).isEqualTo("boom");
  }

  @Test
  void aRecordOfAnEventThatNeverRanHasNoResponseAndAPayloadThatIsNotJsonIsAString() throws Exception {
    JsonNode r = JSON.readTree(AsyncDestinations.record(new Destinations.Delivery(Destinations.Kind.ON_FAILURE, event("orders", "not json"),
        "EventAgeExceeded", 0, new Outcome.Gone("too old"), AT)));
    assertThat(r.path("requestPayload").asText()).isEqualTo("not json");
    assertThat(r.path("requestContext").path("functionArn").asText()).endsWith(":function:orders:$LATEST");
    assertThat(r.has("responseContext")).isFalse();
    assertThat(r.has("responsePayload")).isFalse();
  }

  @Test
  void aFunctionDestinationGetsTheRecordAsAnEventInItsQueueAndTheDispatcherIsWoken() throws Exception {
    String where = destinations.send(new Destination.Function("audit", null), new Destinations.Delivery(Destinations.Kind.ON_SUCCESS,
        event("orders", "{}"), "Success", 1, new Outcome.Succeeded("{\"ok\":true}".getBytes(StandardCharsets.UTF_8)), AT));
    assertThat(where).startsWith("request ");
    assertThat(enqueued).singleElement().asString().startsWith("audit {\"version\":\"1.0\"").contains("\"responsePayload\":{\"ok\":true}");
    assertThat(wakes).isEqualTo(1);
    assertThatThrownBy(() -> destinations.send(new Destination.Function("gone", null), new Destinations.Delivery(Destinations.Kind.ON_SUCCESS,
        event("orders", "{}"), "Success", 1, new Outcome.Succeeded(), AT))).hasMessageContaining("'gone' does not exist");
  }

  @Test
  void aDeadLetterIsThePayloadItselfWithLambdasAttributes() throws Exception {
    destinations.send(new Destination.Queue("amqp://h/%2F?queue=dlq"), new Destinations.Delivery(Destinations.Kind.DEAD_LETTER,
        event("orders", "{\"order\":7}"), "RetriesExhausted", 3, new Outcome.FunctionError("x".repeat(2000)), AT));
    assertThat(published).singleElement().asString().startsWith("amqp://h/%2F?queue=dlq {\"order\":7} {RequestID=req-1, ErrorCode=200, "
        + "ErrorMessage=xxx");
    assertThat(AsyncDestinations.attributes(new Destinations.Delivery(Destinations.Kind.DEAD_LETTER, event("orders", "{}"),
        "RetriesExhausted", 3, new Outcome.FunctionError("x".repeat(2000)), AT)).get("ErrorMessage")).hasSize(1024);
  }
}
