package dev.pilotlight.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives a real endpoint's Extensions API over HTTP as a runtime and its extensions do (the lifecycle of AWS's Extensions API). */
class ExtensionsApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final RuntimeApiServer server = RuntimeApiServer.create();
  final HttpClient http = HttpClient.newHttpClient();
  final RuntimeApiEndpoint endpoint = server.open("i-1");

  @AfterEach
  void close() {
    endpoint.close();
    server.close();
  }

  String url(String path) {
    return "http://" + endpoint.address() + path;
  }

  HttpResponse<String> register(String name, String events) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url("/2020-01-01/extension/register")))
        .header("Lambda-Extension-Name", name)
        .POST(HttpRequest.BodyPublishers.ofString("{\"events\":" + events + "}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  String registered(String name, String events) throws Exception {
    HttpResponse<String> r = register(name, events);
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("Lambda-Extension-Identifier").orElseThrow();
  }

  CompletableFuture<HttpResponse<String>> extNext(String id) {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url("/2020-01-01/extension/event/next")))
        .header("Lambda-Extension-Identifier", id).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> runtimeNext() {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(url("/2018-06-01/runtime/invocation/next"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  int respond(String requestId) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url("/2018-06-01/runtime/invocation/" + requestId + "/response")))
        .POST(HttpRequest.BodyPublishers.ofString("\"ok\"")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static LambdaRequest event(String id) {
    return new LambdaRequest(id, "{}".getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(1_800_000_000_000L),
        "arn:aws:lambda:us-east-1:000000000000:function:f");
  }

  void expect(int count) {
    endpoint.expectExtensions(count, "f", "$LATEST", "app.handler", 128);
  }

  @Test
  void registerAnswersTheFunctionAndInitWaitsForEveryExtensionAndTheRuntime() throws Exception {
    expect(2);
    HttpResponse<String> r = register("telemetry", "[\"INVOKE\",\"SHUTDOWN\"]");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("functionName").asText()).isEqualTo("f");
    assertThat(body.get("functionVersion").asText()).isEqualTo("$LATEST");
    assertThat(body.get("handler").asText()).isEqualTo("app.handler");
    String first = r.headers().firstValue("Lambda-Extension-Identifier").orElseThrow();
    extNext(first);
    runtimeNext();
    String second = registered("other", "[\"SHUTDOWN\"]");
    // The second extension has registered but not polled: init is not over.
    assertThat(endpoint.ready()).isNotDone();
    assertThat(register("third", "[]").statusCode()).isEqualTo(403); // only the expected extensions register
    extNext(second);
    endpoint.ready().get(10, TimeUnit.SECONDS);
    assertThat(register("late", "[\"INVOKE\"]").statusCode()).isEqualTo(403);
  }

  @Test
  void anInvocationCompletesOnlyWhenEveryInvokeSubscriberIsBackInNext() throws Exception {
    expect(1);
    String id = registered("ext", "[\"INVOKE\"]");
    CompletableFuture<HttpResponse<String>> parked = extNext(id);
    CompletableFuture<HttpResponse<String>> runtimePoll = runtimeNext();
    endpoint.ready().get(10, TimeUnit.SECONDS);

    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-1"));
    assertThat(runtimePoll.get(10, TimeUnit.SECONDS).headers().firstValue("Lambda-Runtime-Aws-Request-Id")).contains("req-1");
    HttpResponse<String> invoke = parked.get(10, TimeUnit.SECONDS);
    JsonNode ev = JSON.readTree(invoke.body());
    assertThat(ev.get("eventType").asText()).isEqualTo("INVOKE");
    assertThat(ev.get("requestId").asText()).isEqualTo("req-1");
    assertThat(ev.get("deadlineMs").asLong()).isEqualTo(1_800_000_000_000L);
    assertThat(ev.get("invokedFunctionArn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:f");
    assertThat(ev.get("tracing").get("type").asText()).isEqualTo("X-Amzn-Trace-Id");
    assertThat(invoke.headers().firstValue("Lambda-Extension-Event-Identifier")).isPresent();

    assertThat(respond("req-1")).isEqualTo(202);
    // The runtime answered, the extension has not come back: the invocation is not complete, and the
    // runtime's next poll does not get the next event yet.
    assertThat(result).isNotDone();
    CompletableFuture<HttpResponse<String>> secondPoll = runtimeNext();
    CompletableFuture<LambdaResponse> second = endpoint.invoke(event("req-2"));
    assertThat(result).isNotDone();
    assertThat(secondPoll).isNotDone();

    CompletableFuture<HttpResponse<String>> nextInvoke = extNext(id);
    assertThat(new String(result.get(10, TimeUnit.SECONDS).payload(), StandardCharsets.UTF_8)).isEqualTo("\"ok\"");
    assertThat(secondPoll.get(10, TimeUnit.SECONDS).headers().firstValue("Lambda-Runtime-Aws-Request-Id")).contains("req-2");
    assertThat(JSON.readTree(nextInvoke.get(10, TimeUnit.SECONDS).body()).get("requestId").asText()).isEqualTo("req-2");
    assertThat(respond("req-2")).isEqualTo(202);
    extNext(id);
    second.get(10, TimeUnit.SECONDS);
  }

  @Test
  void shutdownGoesToItsSubscribersWithReasonAndDeadline() throws Exception {
    expect(1);
    String id = registered("ext", "[\"SHUTDOWN\"]");
    CompletableFuture<HttpResponse<String>> parked = extNext(id);
    runtimeNext();
    endpoint.ready().get(10, TimeUnit.SECONDS);
    // Not subscribed to INVOKE: invocations complete without it.
    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-1"));
    assertThat(respond("req-1")).isEqualTo(202);
    result.get(10, TimeUnit.SECONDS);
    assertThat(parked).isNotDone();

    CompletableFuture<Void> done = endpoint.shutdownExtensions("spindown", Instant.ofEpochMilli(1_900_000_000_000L));
    JsonNode ev = JSON.readTree(parked.get(10, TimeUnit.SECONDS).body());
    assertThat(ev.get("eventType").asText()).isEqualTo("SHUTDOWN");
    assertThat(ev.get("shutdownReason").asText()).isEqualTo("spindown");
    assertThat(ev.get("deadlineMs").asLong()).isEqualTo(1_900_000_000_000L);
    assertThat(done).isNotDone();
    extNext(id);
    done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void anExtensionWhoseParkedPollDiesIsAnExtensionCrash() throws Exception {
    expect(1);
    String id = registered("ext", "[\"INVOKE\"]");
    String[] address = endpoint.address().split(":");
    try (Socket raw = new Socket(address[0], Integer.parseInt(address[1]))) {
      OutputStream out = raw.getOutputStream();
      out.write(("GET /2020-01-01/extension/event/next HTTP/1.1\r\nHost: x\r\nLambda-Extension-Identifier: " + id + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
    // Its socket closed while it waited for an event (its process died): the instance's init fails, as AWS reports it.
    String error = new String(endpoint.initError().get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    assertThat(JSON.readTree(error).get("errorType").asText()).isEqualTo("Extension.Crash");
    ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class,
        () -> endpoint.invoke(event("after")).get(10, TimeUnit.SECONDS));
    assertThat(e.getCause()).isInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("Extension.Crash");
  }

  @Test
  void anExtensionProcessThatEndsWhileHoldingAnEventIsACrashThatFailsTheAnsweredInvocation() throws Exception {
    expect(1);
    String id = registered("ext", "[\"INVOKE\",\"SHUTDOWN\"]");
    CompletableFuture<HttpResponse<String>> parked = extNext(id);
    CompletableFuture<HttpResponse<String>> runtimePoll = runtimeNext();
    endpoint.ready().get(10, TimeUnit.SECONDS);
    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-1"));
    runtimePoll.get(10, TimeUnit.SECONDS);
    parked.get(10, TimeUnit.SECONDS); // it holds the INVOKE: no connection of its is open
    assertThat(respond("req-1")).isEqualTo(202);
    assertThat(result).isNotDone();
    endpoint.extensionExited("ext");
    ExecutionException e = Assertions.catchThrowableOfType(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
    assertThat(e.getCause()).isInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("Extension.Crash");
  }

  @Test
  void anExtensionThatExitsOnShutdownIsDoneWithIt() throws Exception {
    expect(1);
    String id = registered("ext", "[\"SHUTDOWN\"]");
    CompletableFuture<HttpResponse<String>> parked = extNext(id);
    runtimeNext();
    endpoint.ready().get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> done = endpoint.shutdownExtensions("spindown", Instant.ofEpochMilli(1_900_000_000_000L));
    parked.get(10, TimeUnit.SECONDS);
    assertThat(done).isNotDone();
    endpoint.extensionExited("ext");
    done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void badCallsGetAwsErrors() throws Exception {
    HttpResponse<String> none = register("ext", "[\"INVOKE\"]");
    assertThat(none.statusCode()).isEqualTo(403); // no extensions expected for this instance
    assertThat(none.body()).contains("errorType");
    expect(1);
    assertThat(register("ext", "[\"LOGS\"]").statusCode()).isEqualTo(400);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url("/2020-01-01/extension/register")))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    HttpResponse<String> unknown = extNext("not-an-id").get(10, TimeUnit.SECONDS);
    assertThat(unknown.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(unknown.body()).get("errorType").asText()).isEqualTo("Extension.UnknownExtensionIdentifier");
  }

  @Test
  void anExtensionInitErrorIsTheInstancesInitError() throws Exception {
    expect(1);
    String id = registered("ext", "[\"INVOKE\"]");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url("/2020-01-01/extension/init/error")))
        .header("Lambda-Extension-Identifier", id).header("Lambda-Extension-Function-Error-Type", "Extension.ConfigInvalid")
        .POST(HttpRequest.BodyPublishers.ofString("{\"errorMessage\":\"no key\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(202);
    String error = new String(endpoint.initError().get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    assertThat(JSON.readTree(error).get("errorType").asText()).isEqualTo("Extension.ConfigInvalid");
    assertThat(error).contains("no key");
  }

  HttpResponse<String> subscribe(String id, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url("/2022-07-01/telemetry"))).header("Lambda-Extension-Identifier", id)
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void telemetrySubscribersGetPlatformRecordsAndFunctionLinesAsJsonArrays() throws Exception {
    java.util.concurrent.LinkedBlockingQueue<JsonNode> received = new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer listener = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    listener.createContext("/telemetry", exchange -> {
      JsonNode batch = JSON.readTree(exchange.getRequestBody());
      assertThat(batch.isArray()).isTrue();
      batch.forEach(received::add);
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    listener.start();
    try {
      expect(1);
      String id = registered("ext", "[\"INVOKE\"]");
      String destination = "http://sandbox.localdomain:" + listener.getAddress().getPort() + "/telemetry";
      assertThat(subscribe(id, "{\"schemaVersion\":\"2022-12-13\",\"destination\":{\"protocol\":\"HTTP\",\"URI\":\"" + destination
          + "\"},\"types\":[\"platform\",\"function\"],\"buffering\":{\"maxItems\":1000,\"maxBytes\":262144,\"timeoutMs\":25}}")
          .statusCode()).isEqualTo(200);
      extNext(id);
      CompletableFuture<HttpResponse<String>> runtimePoll = runtimeNext();
      endpoint.ready().get(10, TimeUnit.SECONDS);
      CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-1"));
      runtimePoll.get(10, TimeUnit.SECONDS);
      endpoint.functionLine("hello from the handler");
      assertThat(respond("req-1")).isEqualTo(202);
      extNext(id);
      result.get(10, TimeUnit.SECONDS);

      java.util.List<String> types = new java.util.ArrayList<>();
      JsonNode report = null;
      while (report == null) {
        JsonNode item = received.poll(10, TimeUnit.SECONDS);
        assertThat(item).as("records so far: %s", types).isNotNull();
        assertThat(item.get("time").asText()).isNotEmpty();
        types.add(item.get("type").asText());
        if (item.get("type").asText().equals("function")) {
          assertThat(item.get("record").asText()).isEqualTo("hello from the handler");
        }
        if (item.get("type").asText().equals("platform.report")) {
          report = item.get("record");
        }
      }
      assertThat(types).containsExactly("platform.initStart", "platform.initRuntimeDone", "platform.start", "function",
          "platform.runtimeDone", "platform.report");
      assertThat(report.get("requestId").asText()).isEqualTo("req-1");
      assertThat(report.get("status").asText()).isEqualTo("success");
      assertThat(report.get("metrics").get("memorySizeMB").asInt()).isEqualTo(128);
      assertThat(report.get("metrics").has("durationMs")).isTrue();
    } finally {
      listener.stop(0);
    }
  }

  @Test
  void telemetryDestinationsMustBeTheSandboxsLoopback() throws Exception {
    expect(1);
    String id = registered("ext", "[\"INVOKE\"]");
    String body = "{\"destination\":{\"protocol\":\"HTTP\",\"URI\":\"%s\"},\"types\":[\"platform\"]}";
    for (String uri : java.util.List.of("http://example.com:8080/", "http://10.0.0.1:8080/", "https://sandbox.localdomain:8080/", "nonsense")) {
      HttpResponse<String> r = subscribe(id, body.formatted(uri));
      assertThat(r.statusCode()).as(uri).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("errorType").asText()).isEqualTo("ValidationError");
    }
    assertThat(subscribe(id, "{\"destination\":{\"protocol\":\"HTTP\",\"URI\":\"http://sandbox.localdomain:9/\"},\"types\":[\"logs\"]}")
        .statusCode()).isEqualTo(400);
    assertThat(subscribe("not-an-id", body.formatted("http://sandbox.localdomain:9/")).statusCode()).isEqualTo(403);
  }
}
