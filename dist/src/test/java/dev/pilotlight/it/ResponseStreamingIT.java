package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lambda response streaming end to end with AWS's own code on both sides: a Node handler wrapped in
 * {@code awslambda.streamifyResponse}, run by AWS's Node runtime interface client
 * ({@code aws-lambda-ric} from npm) as a {@code provided} function, streams through the Runtime
 * API; boto3's {@code invoke_with_response_stream} reads the event stream (botocore checks every
 * message's CRCs), and a function URL in {@code RESPONSE_STREAM} mode passes the chunks on.
 */
class ResponseStreamingIT {
  static final String RIC_VERSION = "4.0.2";
  static DaemonFixture d;

  /** The handler: {@code mode} chunks (three lines with pauses), fail (a line, then a throw) or gate (prelude, a line, wait for the test, a line). */
  static final String HANDLER = """
      const pause = (ms) => new Promise((r) => setTimeout(r, ms));
      export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
        const args = event.queryStringParameters ?? event;
        if (args.mode === 'gate') {
          responseStream = awslambda.HttpResponseStream.from(responseStream, {
            statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Stream': 'yes' }, cookies: ['a=1'] });
          responseStream.write('first\\n');
          // The last line is written only once the test has read the first through the gateway.
          await fetch('http://127.0.0.1:' + args.gate + '/');
          responseStream.write('last\\n');
          responseStream.end();
          return;
        }
        if (args.mode === 'fail') {
          responseStream.write('partial\\n');
          await pause(50);
          throw new Error('failed mid-stream');
        }
        for (const line of ['one', 'two', 'three']) {
          responseStream.write(line + '\\n');
          await pause(50);
        }
        responseStream.end();
      });
      """;

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path pkg) throws Exception {
    Path ric = nodeRic();
    Files.writeString(pkg.resolve("index.mjs"), HANDLER);
    Path bootstrap = pkg.resolve("bootstrap");
    Files.writeString(bootstrap, "#!/bin/sh\nexec node \"$LAMBDA_TASK_ROOT/node_modules/aws-lambda-ric/index.mjs\"\n");
    Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
    run(List.of("cp", "-r", ric.resolve("node_modules").toString(), pkg.toString()), Path.of("."));
    d = new DaemonFixture(data);
    d.deploy(pkg.toString(), "--name", "streamer", "--runtime", "provided.al2023", "--handler", "index.handler",
        "--invoke-mode", "response_stream");
  }

  @AfterAll
  static void stop() {
    if (d != null) {
      d.close();
    }
  }

  /**
   * AWS's Node runtime interface client, installed from npm once into a cache (its native part
   * builds in a few minutes); {@code pilotlight.it.cache} moves the cache.
   */
  static Path nodeRic() throws Exception {
    return NpmPackages.installed("aws-lambda-ric", RIC_VERSION, "index.mjs");
  }

  static String run(List<String> command, Path dir) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(15, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    return out;
  }

  /** boto3's invoke_with_response_stream on {@code payload}: the status and the events as it parsed them. */
  static JsonNode boto3Stream(String payload) throws Exception {
    String script = """
        import boto3, json, sys
        c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1',
                         aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
        r = c.invoke_with_response_stream(FunctionName='streamer', Payload=sys.argv[4].encode())
        events = []
        for e in r['EventStream']:
            if 'PayloadChunk' in e:
                events.append({'chunk': e['PayloadChunk']['Payload'].decode()})
            if 'InvokeComplete' in e:
                events.append({'complete': e['InvokeComplete']})
        print(json.dumps({'status': r['StatusCode'], 'version': r.get('ExecutedVersion'), 'events': events}))
        """;
    TestAuth.Key key = d.adminKey();
    String out = run(List.of("python3", "-c", script, d.url(), key.id(), key.secret(), payload), Path.of("."));
    return DaemonFixture.JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void boto3ReadsTheChunksInOrderThenInvokeComplete() throws Exception {
    JsonNode r = boto3Stream("{\"mode\":\"chunks\"}");
    assertThat(r.path("status").asInt()).isEqualTo(200);
    StringBuilder body = new StringBuilder();
    JsonNode events = r.path("events");
    for (int i = 0; i < events.size() - 1; i++) {
      body.append(events.get(i).path("chunk").asText());
    }
    assertThat(body.toString()).isEqualTo("one\ntwo\nthree\n");
    JsonNode last = events.get(events.size() - 1);
    assertThat(last.has("complete")).as(r.toString()).isTrue();
    assertThat(last.path("complete").has("ErrorCode")).isFalse();
  }

  @Test
  void anErrorMidStreamIsInvokeCompletesErrorCode() throws Exception {
    JsonNode r = boto3Stream("{\"mode\":\"fail\"}");
    assertThat(r.path("status").asInt()).isEqualTo(200);
    JsonNode events = r.path("events");
    assertThat(events.get(0).path("chunk").asText()).isEqualTo("partial\n");
    JsonNode complete = events.get(events.size() - 1).path("complete");
    assertThat(complete.path("ErrorCode").asText()).as(r.toString()).isEqualTo("Error");
    assertThat(complete.path("ErrorDetails").asText()).isEqualTo("failed mid-stream");
  }

  @Test
  void theBufferedInvokeApiGetsTheStreamWhole() {
    HttpResponse<String> r = d.lambda("POST", "/2015-03-31/functions/streamer/invocations", "{\"mode\":\"chunks\"}", Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("one\ntwo\nthree\n");
    HttpResponse<String> failed = d.lambda("POST", "/2015-03-31/functions/streamer/invocations", "{\"mode\":\"fail\"}", Map.of());
    assertThat(failed.headers().firstValue("X-Amz-Function-Error")).isPresent();
    assertThat(failed.body()).contains("failed mid-stream");
  }

  @Test
  void theFunctionUrlDeliversTheFirstChunkBeforeTheLastIsWritten() throws Exception {
    CountDownLatch sawFirst = new CountDownLatch(1);
    HttpServer gate = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gate.createContext("/", exchange -> {
      try {
        sawFirst.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    gate.start();
    try {
      HttpResponse<InputStream> res = d.http.send(HttpRequest.newBuilder(URI.create(d.url() + "/fn/streamer/?mode=gate&gate="
          + gate.getAddress().getPort())).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(res.statusCode()).isEqualTo(201);
      assertThat(res.headers().firstValue("X-Stream")).contains("yes");
      assertThat(res.headers().allValues("Set-Cookie")).containsExactly("a=1");
      InputStream body = res.body();
      // The function writes "last" only after the gate opens, and the gate opens only once "first" is read here:
      // a gateway that held the body whole would never deliver "first", and this read would time out.
      String first = CompletableFuture.supplyAsync(() -> readLine(body)).get(30, TimeUnit.SECONDS);
      assertThat(first).isEqualTo("first");
      sawFirst.countDown();
      assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("last\n");
    } finally {
      sawFirst.countDown();
      gate.stop(0);
    }
  }

  private static String readLine(InputStream in) {
    try {
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) != -1 && c != '\n'; ) {
        line.append((char) c);
      }
      return line.toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
