package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Destinations of asynchronous invocations, configured through AWS's SDK for Java v2 (the event
 * invoke configuration and {@code DeadLetterConfig}): a failed event's record reaches another
 * function, a successful one's a RabbitMQ queue of the machine's broker (127.0.0.1:5672), the
 * payload the dead-letter queue; an event whose destination does not take it is kept as a failure.
 */
class AsyncDestinationsIT {
  private static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:";

  private static JsonNode json(String text) {
    try {
      return DaemonFixture.JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static GetResponse get(Channel ch, String queue) {
    try {
      return ch.basicGet(queue, true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void outcomesReachTheirDestinationsAndNothingIsLostWhenOneRefuses(@TempDir Path data) throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String okQueue = "pl-dest-ok-" + suffix;
    String dlq = "pl-dest-dlq-" + suffix;
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    try (Connection rabbit = f.newConnection(); Channel ch = rabbit.createChannel();
        DaemonFixture d = new DaemonFixture(data)) {
      ch.queueDeclare(okQueue, true, false, true, null);
      ch.queueDeclare(dlq, true, false, true, null);
      d.deploy(OtherRuntimesIT.functions("python"), "--name", "recorder", "--runtime", "python3.12", "--handler", "record.handler");
      d.deploy(testFunctions(), "--name", "dest-fail", "--runtime", "java", "--handler", "fixtures.Fail::handleRequest",
          "--retry-delay", "100ms");
      d.deploy(testFunctions(), "--name", "dest-ok", "--runtime", "java", "--handler", "fixtures.Echo::handleRequest");
      TestAuth.Key key = d.adminKey();
      try (LambdaClient lambda = LambdaClient.builder().endpointOverride(URI.create(d.url())).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.id(), key.secret())))
          .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
        // none yet: Lambda's ResourceNotFoundException
        assertThatThrownBy(() -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("dest-fail")))
            .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("doesn't have an EventInvokeConfig");

        lambda.putFunctionEventInvokeConfig(b -> b.functionName("dest-fail").maximumRetryAttempts(1)
            .destinationConfig(c -> c.onFailure(o -> o.destination(ARN + "recorder"))));
        GetFunctionEventInvokeConfigResponse got = lambda.getFunctionEventInvokeConfig(b -> b.functionName("dest-fail"));
        assertThat(got.maximumRetryAttempts()).isEqualTo(1);
        assertThat(got.maximumEventAgeInSeconds()).isEqualTo(21600);
        assertThat(got.destinationConfig().onFailure().destination()).isEqualTo(ARN + "recorder");
        assertThat(got.functionArn()).isEqualTo(ARN + "dest-fail:$LATEST");
        assertThat(lambda.listFunctionEventInvokeConfigs(b -> b.functionName("dest-fail")).functionEventInvokeConfigs()).hasSize(1);
        // Update keeps what it does not name
        lambda.updateFunctionEventInvokeConfig(b -> b.functionName("dest-fail").maximumEventAgeInSeconds(3600));
        got = lambda.getFunctionEventInvokeConfig(b -> b.functionName("dest-fail"));
        assertThat(got.maximumRetryAttempts()).isEqualTo(1);
        assertThat(got.maximumEventAgeInSeconds()).isEqualTo(3600);
        assertThat(got.destinationConfig().onFailure().destination()).isEqualTo(ARN + "recorder");
        lambda.updateFunctionConfiguration(b -> b.functionName("dest-fail")
            .deadLetterConfig(c -> c.targetArn("amqp://guest:guest@127.0.0.1:5672/%2F?queue=" + dlq)));
        assertThat(lambda.getFunctionConfiguration(b -> b.functionName("dest-fail")).deadLetterConfig().targetArn())
            .as("the password is not shown").isEqualTo("amqp://guest:****@127.0.0.1:5672/%2F?queue=" + dlq);
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("dest-ok")
            .destinationConfig(c -> c.onSuccess(o -> o.destination("amqp://guest:guest@127.0.0.1:5672/%2F?queue=" + okQueue))));

        // refused: a destination Pilotlight cannot send to, and a function as its own destination
        assertThatThrownBy(() -> lambda.putFunctionEventInvokeConfig(b -> b.functionName("dest-ok")
            .destinationConfig(c -> c.onFailure(o -> o.destination("arn:aws:sqs:us-east-1:123456789012:q")))))
            .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("no SQS");
        assertThatThrownBy(() -> lambda.putFunctionEventInvokeConfig(b -> b.functionName("dest-ok")
            .destinationConfig(c -> c.onFailure(o -> o.destination(ARN + "dest-ok")))))
            .isInstanceOf(InvalidParameterValueException.class).hasMessageContaining("its own destination");

        String failed = AsyncInvokeIT.event(d.url(), d.dataDir, "dest-fail", "{\"order\":7}");
        String ok = AsyncInvokeIT.event(d.url(), d.dataDir, "dest-ok", "{\"n\":1}");

        // the on-failure record reached the recorder function
        AtomicReference<JsonNode> record = new AtomicReference<>();
        eventually(Duration.ofSeconds(60), "the on-failure record reached the recorder", () -> {
          for (String line : d.logs("recorder").split("\n")) {
            int at = line.indexOf("RECORD ");
            if (at >= 0 && line.contains(failed)) {
              record.set(json(line.substring(at + 7)));
              return true;
            }
          }
          return false;
        });
        JsonNode r = record.get();
        assertThat(r.path("version").asText()).isEqualTo("1.0");
        assertThat(r.path("requestContext").path("requestId").asText()).isEqualTo(failed);
        assertThat(r.path("requestContext").path("condition").asText()).isEqualTo("RetriesExhausted");
        assertThat(r.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(2);
        assertThat(r.path("requestContext").path("functionArn").asText()).isEqualTo(ARN + "dest-fail:$LATEST");
        assertThat(r.path("requestPayload").path("order").asInt()).isEqualTo(7);
        assertThat(r.path("responseContext").path("functionError").asText()).isEqualTo("Unhandled");
        assertThat(r.path("responsePayload").path("errorMessage").asText()).isEqualTo("boom");

        // the on-success record reached the RabbitMQ queue
        AtomicReference<GetResponse> success = new AtomicReference<>();
        eventually(Duration.ofSeconds(30), "the on-success record reached " + okQueue, () -> {
          success.set(get(ch, okQueue));
          return success.get() != null;
        });
        JsonNode s = DaemonFixture.JSON.readTree(success.get().getBody());
        assertThat(s.path("requestContext").path("requestId").asText()).isEqualTo(ok);
        assertThat(s.path("requestContext").path("condition").asText()).isEqualTo("Success");
        assertThat(s.path("responsePayload").path("n").asInt()).isEqualTo(1);
        assertThat(success.get().getProps().getDeliveryMode()).as("persistent").isEqualTo(2);

        // the dead-letter queue got the payload itself, with Lambda's attributes
        AtomicReference<GetResponse> dead = new AtomicReference<>();
        eventually(Duration.ofSeconds(30), "the payload reached the dead-letter queue", () -> {
          dead.set(get(ch, dlq));
          return dead.get() != null;
        });
        assertThat(new String(dead.get().getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"order\":7}");
        assertThat(String.valueOf(dead.get().getProps().getHeaders().get("RequestID"))).isEqualTo(failed);
        assertThat(String.valueOf(dead.get().getProps().getHeaders().get("ErrorMessage"))).contains("boom");
        eventually(Duration.ofSeconds(10), "a failure sent on is not kept as well",
            () -> d.get("/api/v1/functions/dest-fail/failures").body().contains("\"failures\":[]"));

        // a destination that does not take the record: the event is kept as a failure, with why
        lambda.updateFunctionConfiguration(b -> b.functionName("dest-fail").deadLetterConfig(c -> c.targetArn("")));
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("dest-fail").maximumRetryAttempts(0)
            .destinationConfig(c -> c.onFailure(o -> o.destination("amqp://127.0.0.1:5672/%2F?queue=pl-missing-" + suffix))));
        String kept = AsyncInvokeIT.event(d.url(), d.dataDir, "dest-fail", "{\"order\":8}");
        eventually(Duration.ofSeconds(60), "the event is kept as a failure",
            () -> d.get("/api/v1/functions/dest-fail/failures").body().contains(kept));
        assertThat(d.get("/api/v1/functions/dest-fail/failures").body()).contains("pl-missing-" + suffix).contains("boom");

        lambda.deleteFunctionEventInvokeConfig(b -> b.functionName("dest-fail"));
        assertThatThrownBy(() -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("dest-fail")))
            .isInstanceOf(ResourceNotFoundException.class);
        assertThat(d.status("dest-fail").has("onFailure")).isFalse();
      }
    }
  }
}
