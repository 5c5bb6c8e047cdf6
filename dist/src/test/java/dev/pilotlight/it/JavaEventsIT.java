package dev.pilotlight.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handlers of aws-lambda-java-events types (examples/java-events), deployed and invoked with AWS's
 * own sample events: each handler sees the event's content (bound by AWS's serialization, which the
 * runner loads from runtimes/java-events/ inside the sandbox), and event types it returns are written
 * as AWS writes them.
 */
class JavaEventsIT {
  static final Path EXAMPLE = DaemonFixture.ROOT.resolve("examples/java-events");
  static final String PACKAGE = EXAMPLE.resolve("target/package").toString();

  static String event(String name) throws Exception {
    return Files.readString(EXAMPLE.resolve("events").resolve(name + ".json"), StandardCharsets.UTF_8);
  }

  static JsonNode invoke(DaemonFixture d, String function, String event) throws Exception {
    HttpResponse<String> r = d.post("/api/v1/functions/" + function + "/invoke", event);
    assertThat(r.statusCode()).as("%s: %s", function, r.body()).isEqualTo(200);
    return DaemonFixture.JSON.readTree(r.body());
  }

  @Test
  void eventHandlersSeeTheEventAndAnswerAsOnAws(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      String[][] functions = {
        {"ev-s3", "example.S3Handler"}, {"ev-kinesis", "example.KinesisHandler"},
        {"ev-firehose", "example.FirehoseHandler"}, {"ev-lex", "example.LexHandler"},
        {"ev-sqs", "example.SqsHandler"}, {"ev-api", "example.ApiHandler"},
        {"ev-schedule", "example.ScheduledHandler"},
      };
      for (String[] f : functions) {
        d.deploy(PACKAGE, "--name", f[0], "--runtime", "java21", "--handler", f[1], "--memory", "256");
      }

      // S3Event: arrived with empty Records before (and the handler threw IndexOutOfBounds)
      assertThat(invoke(d, "ev-s3", event("s3-notification")).asText()).isEqualTo("BUCKET_NAME/inbound/sample-java-s3.png");

      // KinesisEvent: base64 data into a ByteBuffer ("cannot convert JSON string to java.nio.ByteBuffer" before)
      JsonNode kinesis = invoke(d, "ev-kinesis", event("kinesis-record"));
      assertThat(kinesis.get(0).asText()).isEqualTo("Hello, this is a test.");
      assertThat(kinesis.get(1).asText()).isEqualTo("This is only a test.");

      // KinesisFirehoseEvent in, KinesisAnalyticsInputPreprocessingResponse (ByteBuffer data) out, as AWS writes it
      JsonNode firehose = invoke(d, "ev-firehose", event("firehose-record"));
      JsonNode record = firehose.path("records").get(0);
      assertThat(record.path("recordId").asText()).isEqualTo("49546986683135544286507457936321625675700192471156785154");
      assertThat(record.path("result").asText()).isEqualTo("Ok");
      assertThat(new String(Base64.getDecoder().decode(record.path("data").asText()), StandardCharsets.UTF_8))
          .isEqualTo("HELLO, THIS IS A TEST 123.");

      // LexEvent: nested classes without no-arg constructors ("LexEvent$Bot has no no-arg constructor" before)
      assertThat(invoke(d, "ev-lex", event("lex-flowers")).asText()).isEqualTo("OrderFlowers:OrderFlowers:lilies");

      // SQSEvent: AWS's mix-ins (Records, eventSourceARN)
      assertThat(invoke(d, "ev-sqs", event("sqs-record")).get(0).asText())
          .isEqualTo("19dd0b57-b21e-4ac1-bd88-01bbb068cb78 Hello from SQS! arn:aws:sqs:us-west-2:123456789012:MyQueue");

      // APIGatewayProxyRequestEvent in, APIGatewayProxyResponseEvent out: AWS's field names, nulls left out
      JsonNode api = invoke(d, "ev-api", event("apigateway-v1"));
      assertThat(api).isEqualTo(DaemonFixture.JSON.readTree(
          "{\"statusCode\":200,\"headers\":{\"Content-Type\":\"text/plain\"},\"body\":\"GET / from 52.255.255.12\",\"isBase64Encoded\":false}"));

      // ScheduledEvent: a Joda DateTime from the event's ISO time
      assertThat(invoke(d, "ev-schedule", event("cloudwatch-scheduled")).asText())
          .isEqualTo("2020-02-02T12:34:56.000Z aws.events arn:aws:events:us-east-2:123456789012:rule/my-rule");

      // An event that does not bind is the invocation's error, naming the type and the field
      String broken = event("kinesis-record").replace("SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==", "!!not base64!!");
      HttpResponse<String> failed = d.lambda("POST", "/2015-03-31/functions/ev-kinesis/invocations", broken, Map.of());
      assertThat(failed.statusCode()).isEqualTo(200);
      assertThat(failed.headers().firstValue("X-Amz-Function-Error")).contains("Unhandled");
      JsonNode error = DaemonFixture.JSON.readTree(failed.body());
      assertThat(error.path("errorType").asText()).isEqualTo("java.lang.IllegalArgumentException");
      assertThat(error.path("errorMessage").asText()).startsWith(
          "cannot bind the event to com.amazonaws.services.lambda.runtime.events.KinesisEvent, field 'Records[0].kinesis.data': ");
      // and the instance keeps serving
      assertThat(invoke(d, "ev-kinesis", event("kinesis-record")).get(0).asText()).isEqualTo("Hello, this is a test.");
    }
  }

  /**
   * A pre-started pool runner (warmed before any function is known) and a JVM started with the
   * function's AOT cache (trained at deploy, through the function's init) both find AWS's
   * serialization beside the runner.
   */
  @Test
  void poolRunnersAndAotCachesFindAwsSerialization(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(PACKAGE, "--name", "ev-pooled", "--runtime", "java21", "--handler", "example.S3Handler", "--memory", "160",
          "--env", "PILOTLIGHT_LAUNCH=pool");
      DaemonFixture.eventually(java.time.Duration.ofSeconds(30), "a pooled runner",
          () -> d.get("/metrics").body().contains("pilotlight_pool_runners 1.0"));
      assertThat(invoke(d, "ev-pooled", event("s3-notification")).asText()).isEqualTo("BUCKET_NAME/inbound/sample-java-s3.png");
      assertThat(d.status("ev-pooled").path("lastColdStart").path("strategy").asText()).isEqualTo("pool");

      d.deploy(PACKAGE, "--name", "ev-cached", "--runtime", "java21", "--handler", "example.ApiHandler",
          "--env", "PILOTLIGHT_LAUNCH=aot");
      DaemonFixture.eventually(java.time.Duration.ofSeconds(120), "the AOT cache", () -> d.logs("ev-cached").contains("AOT cache ready"));
      assertThat(invoke(d, "ev-cached", event("apigateway-v1")).path("body").asText()).isEqualTo("GET / from 52.255.255.12");
      assertThat(d.status("ev-cached").path("lastColdStart").path("strategy").asText()).isEqualTo("aot");
    }
  }
}
