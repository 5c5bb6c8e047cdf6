package dev.pilotlight.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.LambdaRequest;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.model.ResponseStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A runtime's streamed {@code /response} on a real endpoint, written by hand on a socket as a
 * runtime writes it (chunked, error trailers): a caller that takes streams gets each chunk before
 * the body has ended; any other caller gets the body whole.
 */
class StreamedResponsesTest {
  final RuntimeApiServer server = RuntimeApiServer.create();
  final RuntimeApiEndpoint endpoint = server.open("i-1");

  @AfterEach
  void close() {
    endpoint.close();
    server.close();
  }

  static LambdaRequest request(String id, boolean acceptsStream) {
    return new LambdaRequest(id, "{}".getBytes(StandardCharsets.UTF_8), Instant.now().plusSeconds(30), "arn:fn", acceptsStream);
  }

  /** A runtime's connection: the POST's head, then chunks written one at a time. */
  final class Runtime implements AutoCloseable {
    final Socket socket;
    final OutputStream out;

    Runtime(String requestId, String contentType) throws Exception {
      String[] hostPort = endpoint.address().split(":");
      socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
      out = socket.getOutputStream();
      write("POST /2018-06-01/runtime/invocation/" + requestId + "/response HTTP/1.1\r\nHost: x\r\n"
          + "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
          + "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
          + "Content-Type: " + contentType + "\r\n\r\n");
    }

    void chunk(String s) throws Exception {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      write(Integer.toHexString(b.length) + "\r\n" + s + "\r\n");
    }

    void end(String trailers) throws Exception {
      write("0\r\n" + trailers + "\r\n");
    }

    String status() throws Exception {
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private void write(String s) throws Exception {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  /** Records what a stream delivers; {@code ended} completes with the error type ("" when none). */
  static final class Recorder implements ResponseStream.Subscriber {
    final List<String> chunks = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> ended = new CompletableFuture<>();
    volatile byte[] errorJson;

    @Override
    public void chunk(byte[] bytes) {
      chunks.add(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public void end(String errorType, byte[] json) {
      errorJson = json;
      ended.complete(errorType == null ? "" : errorType);
    }
  }

  @Test
  void aStreamingCallerGetsEachChunkBeforeTheBodyEnds() throws Exception {
    CompletableFuture<LambdaResponse> f = endpoint.invoke(request("r-1", true));
    try (Runtime rt = new Runtime("r-1", "text/plain")) {
      rt.chunk("one ");
      LambdaResponse res = f.get(10, TimeUnit.SECONDS);
      assertThat(res.isStreamed()).isTrue();
      assertThat(res.stream().contentType()).isEqualTo("text/plain");
      Recorder r = new Recorder();
      res.stream().subscribe(r);
      RuntimeApiServerTest.await("the first chunk", () -> r.chunks.equals(List.of("one ")));
      assertThat(r.ended).isNotDone();
      rt.chunk("two");
      RuntimeApiServerTest.await("the second chunk", () -> r.chunks.size() == 2);
      assertThat(r.ended).isNotDone();
      rt.end("");
      assertThat(r.ended.get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(String.join("", r.chunks)).isEqualTo("one two");
      assertThat(rt.status()).contains("202");
    }
  }

  @Test
  void anErrorInTheTrailersEndsTheStreamWithIt() throws Exception {
    CompletableFuture<LambdaResponse> f = endpoint.invoke(request("r-2", true));
    try (Runtime rt = new Runtime("r-2", "application/octet-stream")) {
      rt.chunk("partial");
      Recorder r = new Recorder();
      f.get(10, TimeUnit.SECONDS).stream().subscribe(r);
      String error = "{\"errorMessage\":\"boom\",\"errorType\":\"Error\"}";
      rt.end("Lambda-Runtime-Function-Error-Type: Error\r\nLambda-Runtime-Function-Error-Body: "
          + Base64.getEncoder().encodeToString(error.getBytes(StandardCharsets.UTF_8)) + "\r\n");
      assertThat(r.ended.get(10, TimeUnit.SECONDS)).isEqualTo("Error");
      assertThat(new String(r.errorJson, StandardCharsets.UTF_8)).isEqualTo(error);
      assertThat(r.chunks).containsExactly("partial");
    }
  }

  @Test
  void aRuntimeThatDiesMidStreamEndsItWithAnError() throws Exception {
    CompletableFuture<LambdaResponse> f = endpoint.invoke(request("r-3", true));
    Recorder r = new Recorder();
    try (Runtime rt = new Runtime("r-3", "text/plain")) {
      rt.chunk("half");
      f.get(10, TimeUnit.SECONDS).stream().subscribe(r);
    }
    assertThat(r.ended.get(10, TimeUnit.SECONDS)).isEqualTo("Runtime.ExitError");
  }

  @Test
  void aBufferedCallerGetsTheStreamWhole() throws Exception {
    CompletableFuture<LambdaResponse> f = endpoint.invoke(request("r-4", false));
    try (Runtime rt = new Runtime("r-4", "text/plain")) {
      rt.chunk("one ");
      rt.chunk("two");
      assertThat(f).isNotDone();
      rt.end("");
      LambdaResponse res = f.get(10, TimeUnit.SECONDS);
      assertThat(res.isStreamed()).isFalse();
      assertThat(new String(res.payload(), StandardCharsets.UTF_8)).isEqualTo("one two");
      assertThat(rt.status()).contains("202");
    }
  }

  @Test
  void aBufferedCallerGetsAMidStreamErrorAsAFunctionError() throws Exception {
    CompletableFuture<LambdaResponse> f = endpoint.invoke(request("r-5", false));
    try (Runtime rt = new Runtime("r-5", "text/plain")) {
      rt.end("Lambda-Runtime-Function-Error-Type: TypeError\r\n");
      LambdaResponse res = f.get(10, TimeUnit.SECONDS);
      assertThat(res.errorType()).isEqualTo("TypeError");
      assertThat(new String(res.payload(), StandardCharsets.UTF_8)).contains("\"errorType\":\"TypeError\"");
    }
  }

  @Test
  void anUnknownRequestIdIsRefusedAfterItsBody() throws Exception {
    try (Runtime rt = new Runtime("nobody", "text/plain")) {
      rt.chunk("x");
      rt.end("");
      assertThat(rt.status()).contains("400");
    }
  }
}
