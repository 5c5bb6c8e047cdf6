package dev.pilotlight.runner;

import static dev.pilotlight.runner.TestFunctions.invocation;
import static dev.pilotlight.runner.TestFunctions.load;
import static dev.pilotlight.runner.TestFunctions.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Handlers that take or return AWS's event classes, loaded through a function class loader (with
 * aws-lambda-java-events in it) and invoked as the poll loop invokes them.
 */
class AwsEventHandlersTest {

  private static String sample(String name) throws IOException {
    try (InputStream in = AwsEventHandlersTest.class.getClassLoader().getResourceAsStream("aws-events/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Object run(String handler, String event) throws Exception {
    FunctionHandler.Outcome outcome = load(handler).run(invocation("req-1", event));
    assertThat(outcome.failed()).as(text(outcome.body())).isFalse();
    return JsonParser.parse(text(outcome.body()));
  }

  @Test
  void s3EventArrivesWithItsRecords() throws Exception {
    // AWS's java-events sample event; the runner's own binder used to give an S3Event with no records.
    assertThat(run("testfixtures.events.S3Bucket", sample("java-events-sample/s3-notification.json")))
        .isEqualTo("BUCKET_NAME/inbound/sample-java-s3.png");
  }

  @Test
  void kinesisDataIsDecodedFromBase64() throws Exception {
    assertThat(run("testfixtures.events.KinesisData", sample("java-events-sample/kinesis-record.json")))
        .isEqualTo(List.of("Hello, this is a test.", "This is only a test."));
  }

  @Test
  void byteBuffersGoBackOutAsBase64() throws Exception {
    Object response = run("testfixtures.events.Preprocess", sample("aws-lambda-java-tests/firehose_event.json"));

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> records = (List<Map<String, Object>>) ((Map<String, Object>) response).get("records");
    assertThat(records).isNotEmpty();
    assertThat(records.get(0)).containsEntry("result", "Ok").containsKey("recordId");
    String data = new String(java.util.Base64.getDecoder().decode((String) records.get(0).get("data")), StandardCharsets.UTF_8);
    assertThat(data).isEqualTo(data.toUpperCase(java.util.Locale.ROOT)).isNotBlank();
  }

  @Test
  void anEventReturnedAsObjectIsWrittenByAwsSerialization() throws Exception {
    FunctionHandler handler = load("testfixtures.events.Untyped::respond");
    assertThat(handler.usesAwsSerialization()).isFalse(); // declared Map in, Object out

    FunctionHandler.Outcome outcome = handler.run(invocation("r", "{\"name\":\"Ann\"}"));

    assertThat(JsonParser.parse(text(outcome.body())))
        .isEqualTo(Map.of("statusCode", 201, "body", "made Ann", "isBase64Encoded", false));
  }

  @Test
  void plainHandlersDoNotTouchAwsSerialization() throws Exception {
    assertThat(load("testfixtures.OrderHandler").usesAwsSerialization()).isFalse();
    assertThat(load("testfixtures.PlainMethods::greet").usesAwsSerialization()).isFalse();
    assertThat(load("testfixtures.events.S3Bucket").usesAwsSerialization()).isTrue();
  }

  @Test
  void anEventThatDoesNotBindIsAnErrorNamingTheTypeAndTheField() throws Exception {
    String event = sample("java-events-sample/kinesis-record.json").replace("SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==", "!!not base64!!");

    FunctionHandler.Outcome outcome = load("testfixtures.events.KinesisData").run(invocation("r", event));

    assertThat(outcome.failed()).isTrue();
    assertThat(outcome.errorType()).isEqualTo("IllegalArgumentException");
    String message = (String) ((Map<?, ?>) JsonParser.parse(text(outcome.body()))).get("errorMessage");
    assertThat(message)
        .startsWith("cannot bind the event to com.amazonaws.services.lambda.runtime.events.KinesisEvent, "
            + "field 'Records[0].kinesis.data': ")
        .contains("base64");
  }

  @Test
  void theRunnersOwnBinderRefusesDataItCannotSet() throws Exception {
    FunctionHandler.Outcome outcome =
        load("testfixtures.events.FinalRecords::handle").run(invocation("r", "{\"source\":\"s3\",\"Records\":[\"a\"]}"));

    assertThat(outcome.failed()).isTrue();
    String message = (String) ((Map<?, ?>) JsonParser.parse(text(outcome.body()))).get("errorMessage");
    assertThat(message).isEqualTo("cannot bind the event to testfixtures.events.FinalRecords, field 'Records': "
        + "testfixtures.events.FinalRecords.records is final and has no setter");
    // without the key it binds as before
    assertThat(run("testfixtures.events.FinalRecords::handle", "{\"source\":\"s3\"}")).isEqualTo("s3:0");
  }

  @Test
  void aMissingSerializationJarIsAClearError() {
    assertThatThrownBy(() -> AwsSerialization.Library.load(new File("/nonexistent/aws-lambda-java-serialization.jar"), getClass().getClassLoader()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("aws-lambda-java-serialization is not at /nonexistent/aws-lambda-java-serialization.jar");
  }

  @Test
  void theJarIsFoundBesideTheRunner() {
    // target/classes here, as runtimes/pilotlight-java-runner.jar in the distribution
    assertThat(AwsSerialization.jar()).isFile().hasName("aws-lambda-java-serialization.jar");
    assertThat(AwsSerialization.jar().getParentFile()).hasName("java-events");
  }
}
