package dev.pilotlight.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives a real endpoint on a loopback port the way a Lambda runtime does. */
class RuntimeApiEndpointTest {
  final RuntimeApiServer server = RuntimeApiServer.create();
  final HttpClient http = HttpClient.newHttpClient();
  RuntimeApiEndpoint endpoint = server.open("i-1");

  @AfterEach
  void close() {
    endpoint.close();
    server.close();
  }

  String base() {
    return "http://" + endpoint.address() + "/2018-06-01/runtime/";
  }

  CompletableFuture<HttpResponse<String>> next() {
    return http.sendAsync(HttpRequest.newBuilder(URI.create(base() + "invocation/next")).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, String errorType) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (errorType != null) {
      b.header("Lambda-Runtime-Function-Error-Type", errorType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static LambdaRequest event(String id, String json) {
    return new LambdaRequest(id, json.getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(1_800_000_000_000L),
        "arn:aws:lambda:us-east-1:000000000000:function:f");
  }

  @Test
  void eventQueuedBeforeThePollIsDeliveredWithLambdaHeaders() throws Exception {
    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-1", "{\"a\":1}"));
    HttpResponse<String> ev = next().join();
    assertThat(endpoint.ready()).isDone();
    assertThat(ev.body()).isEqualTo("{\"a\":1}");
    assertThat(ev.headers().firstValue("Lambda-Runtime-Aws-Request-Id")).contains("req-1");
    assertThat(ev.headers().firstValue("Lambda-Runtime-Deadline-Ms")).contains("1800000000000");
    assertThat(ev.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn")).contains("arn:aws:lambda:us-east-1:000000000000:function:f");
    assertThat(ev.headers().firstValue("Lambda-Runtime-Trace-Id").orElseThrow())
        .matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
    assertThat(post("invocation/req-1/response", "\"ok\"", null).statusCode()).isEqualTo(202);
    assertThat(new String(result.join().payload(), StandardCharsets.UTF_8)).isEqualTo("\"ok\"");
  }

  @Test
  void aWaitingPollGetsTheNextEventAndErrorsCarryTheirType() throws Exception {
    CompletableFuture<HttpResponse<String>> poll = next();
    // the poll is parked server-side until an event arrives
    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-2", "{}"));
    assertThat(poll.join().headers().firstValue("Lambda-Runtime-Aws-Request-Id")).contains("req-2");
    post("invocation/req-2/error", "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\"}", "IllegalStateException");
    LambdaResponse r = result.join();
    assertThat(r.isError()).isTrue();
    assertThat(r.errorType()).isEqualTo("IllegalStateException");
  }

  @Test
  void anAnswerAndTheNextPollPipelinedInOneWriteGetThe202ThenTheNextEvent() throws Exception {
    String[] hostPort = endpoint.address().split(":");
    try (Socket runner = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      runner.setSoTimeout(10_000);
      OutputStream out = runner.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(runner.getInputStream(), StandardCharsets.ISO_8859_1));
      CompletableFuture<LambdaResponse> first = endpoint.invoke(event("req-1", "{}"));
      out.write("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
      CompletableFuture<LambdaResponse> second = endpoint.invoke(event("req-2", "{\"n\":2}")); // waits for a poll

      out.write(("POST /2018-06-01/runtime/invocation/req-1/response HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\"ok\""
          + "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();

      StringBuilder answers = new StringBuilder(); // the 202's body and the event's end without a newline
      while (!answers.toString().endsWith("{\"n\":2}")) {
        answers.append((char) in.read());
      }
      assertThat(new String(first.join().payload(), StandardCharsets.UTF_8)).isEqualTo("\"ok\"");
      String text = answers.toString(); // the first event's head and body, the 202, the second event
      int accepted = text.indexOf("HTTP/1.1 202 Accepted");
      assertThat(accepted).isPositive();
      assertThat(text.substring(accepted)).contains("HTTP/1.1 200 OK", "Lambda-Runtime-Aws-Request-Id: req-2");
      assertThat(second).isNotDone();
    }
  }

  @Test
  void unknownRequestIdIs400AndInitErrorIsReported() throws Exception {
    assertThat(post("invocation/nope/response", "{}", null).statusCode()).isEqualTo(400);
    assertThat(post("init/error", "{\"errorMessage\":\"bad init\"}", null).statusCode()).isEqualTo(202);
    assertThat(new String(endpoint.initError().join(), StandardCharsets.UTF_8)).contains("bad init");
  }

  @Test
  void anOversizedResponseFailsTheInvocationAtOnce() throws Exception {
    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-big", "{}"));
    next().join();
    HttpResponse<String> r = post("invocation/req-big/response", "x".repeat(RuntimeApiServer.MAX_RESPONSE_BYTES + 1), null);
    assertThat(r.statusCode()).isEqualTo(413);
    LambdaResponse res = result.join();
    assertThat(res.errorType()).isEqualTo("Function.ResponseSizeTooLarge");
  }

  @Test
  void closingFailsEverythingStillWaiting() {
    CompletableFuture<LambdaResponse> result = endpoint.invoke(event("req-3", "{}"));
    endpoint.close("instance i-1 exited with code 137");
    assertThatThrownBy(result::join).hasCauseInstanceOf(Failure.InstanceFailed.class).hasMessageContaining("137");
    assertThatThrownBy(() -> endpoint.invoke(event("req-4", "{}")).join()).hasMessageContaining("137");
  }

  @Test
  void theTraceHeaderIsTheOneTheInvocationCarries() throws Exception {
    String trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
    CompletableFuture<LambdaResponse> result = endpoint.invoke(new LambdaRequest("req-t", "{}".getBytes(StandardCharsets.UTF_8),
        Instant.ofEpochMilli(1_800_000_000_000L), "arn:aws:lambda:us-east-1:000000000000:function:f:prod", false, trace));
    HttpResponse<String> ev = next().join();
    assertThat(ev.headers().firstValue("Lambda-Runtime-Trace-Id")).contains(trace);
    assertThat(ev.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn")).contains("arn:aws:lambda:us-east-1:000000000000:function:f:prod");
    post("invocation/req-t/response", "null", null);
    result.join();
  }

}
