package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.LambdaResponse;
import dev.pilotlight.testing.Deployments;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Lambda API's pure parts: names, qualifiers, error shapes, invoke answers and the log tail. */
class LambdaApiTest {

  @Test
  void namesPartialArnsAndArnsAllNameTheFunction() {
    assertThat(LambdaNames.parse("hello")).isEqualTo(new LambdaNames.Ref("hello", null));
    assertThat(LambdaNames.parse("hello:$LATEST")).isEqualTo(new LambdaNames.Ref("hello", "$LATEST"));
    assertThat(LambdaNames.parse("arn:aws:lambda:eu-west-1:123456789012:function:hello"))
        .isEqualTo(new LambdaNames.Ref("hello", null));
    assertThat(LambdaNames.parse("arn:aws:lambda:us-east-1:000000000000:function:hello:3"))
        .isEqualTo(new LambdaNames.Ref("hello", "3"));
    assertThat(LambdaNames.parse("123456789012:function:hello:$LATEST")).isEqualTo(new LambdaNames.Ref("hello", "$LATEST"));
    assertThatThrownBy(() -> LambdaNames.parse("arn:aws:s3:::bucket")).isInstanceOf(Failure.InvalidInput.class);
    assertThatThrownBy(() -> LambdaNames.parse("a:b:c")).isInstanceOf(Failure.InvalidInput.class);
  }

  @Test
  void qualifiersMayBeLatestOrTheCurrentRevision() {
    Deployment d = Deployments.of(Deployments.javaSpec("hello", 1, 10, Duration.ofMinutes(5)), 3);
    assertThat(LambdaFunctions.resolve(n -> Optional.of(d), "hello", null)).isSameAs(d);
    assertThat(LambdaFunctions.resolve(n -> Optional.of(d), "hello", "$LATEST")).isSameAs(d);
    assertThat(LambdaFunctions.resolve(n -> Optional.of(d), "hello:3", "3")).isSameAs(d);
    assertThatThrownBy(() -> LambdaFunctions.resolve(n -> Optional.of(d), "hello", "2"))
        .isInstanceOf(Failure.FunctionNotFound.class);
    assertThatThrownBy(() -> LambdaFunctions.resolve(n -> Optional.of(d), "hello:prod", null))
        .isInstanceOf(Failure.FunctionNotFound.class);
    assertThatThrownBy(() -> LambdaFunctions.resolve(n -> Optional.of(d), "hello:3", "$LATEST"))
        .isInstanceOf(Failure.InvalidInput.class);
    assertThatThrownBy(() -> LambdaFunctions.resolve(n -> Optional.empty(), "nope", null))
        .isInstanceOf(Failure.FunctionNotFound.class);
  }

  @Test
  void apiErrorsCarryTheExceptionNameInTheHeaderAndAMessage() {
    FullHttpResponse notFound = AwsErrorResponses.of(new Failure.FunctionNotFound("nope"));
    assertThat(notFound.status().code()).isEqualTo(404);
    assertThat(notFound.headers().get("x-amzn-ErrorType")).isEqualTo("ResourceNotFoundException");
    assertThat(body(notFound)).isEqualTo(
        "{\"Type\":\"User\",\"message\":\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope\"}");

    assertThat(type(AwsErrorResponses.of(new Failure.InvalidInput("x")))).isEqualTo("400 InvalidParameterValueException");
    assertThat(type(AwsErrorResponses.of(new Failure.Conflict("x")))).isEqualTo("409 ResourceConflictException");
    assertThat(type(AwsErrorResponses.of(new Failure.PayloadTooLarge("x")))).isEqualTo("413 RequestTooLargeException");
    FullHttpResponse throttled = AwsErrorResponses.of(new Failure.QueueFull("x"));
    assertThat(type(throttled)).isEqualTo("429 TooManyRequestsException");
    assertThat(throttled.headers().get("Retry-After")).isEqualTo("1");
    assertThat(type(AwsErrorResponses.of(new Failure.Unavailable("x")))).isEqualTo("503 ServiceException");
    assertThat(body(AwsErrorResponses.of(new Failure.Unavailable("x")))).contains("\"Type\":\"Service\"");
    assertThat(type(AwsErrorResponses.of(new IllegalStateException("bug")))).isEqualTo("500 ServiceException");
  }

  @Test
  void anInvokePayloadMustBeJsonOrNothingAsOnLambda() {
    for (String ok : new String[] {"", "  \n", "{}", "{\"a\":[1,2,{\"b\":null}]}", "\"text\"", "42", "null", "true", "[]"}) {
      InvokePayloads.check(bytes(ok));
    }
    for (String bad : new String[] {"{bad", "{\"a\":1", "hello", "{} {}", "1 2", "{\"a\":NaN}", "'single'"}) {
      assertThatThrownBy(() -> InvokePayloads.check(bytes(bad))).as(bad).isInstanceOf(InvokePayloads.NotJson.class)
          .hasMessageStartingWith("Could not parse request body into json: Could not parse payload into json: ");
    }
    String big = "{\"s\":\"" + "x".repeat(21_000_000) + "\"}"; // past Jackson's default 20 M characters per string
    InvokePayloads.check(bytes(big));
    FullHttpResponse refused = AwsErrorResponses.of(new InvokePayloads.NotJson("Unrecognized token 'bad'"));
    assertThat(type(refused)).isEqualTo("400 InvalidRequestContentException");
    assertThat(body(refused)).contains("\"Type\":\"User\"").contains("Unrecognized token 'bad'");
  }

  @Test
  void aResultIs200WithThePayloadAndTheExecutedVersion() {
    FullHttpResponse res = LambdaApi.syncResponse(new InvokeResult(new LambdaResponse(bytes("\"hi\""), null), null), null, "rid");
    assertThat(res.status().code()).isEqualTo(200);
    assertThat(body(res)).isEqualTo("\"hi\"");
    assertThat(res.headers().get("X-Amz-Executed-Version")).isEqualTo("$LATEST");
    assertThat(res.headers().get("x-amzn-RequestId")).isEqualTo("rid");
    assertThat(res.headers().contains("X-Amz-Function-Error")).isFalse();
  }

  @Test
  void functionErrorsTimeoutsCrashesAndInitFailuresAre200Unhandled() {
    String doc = "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\",\"stackTrace\":[]}";
    FullHttpResponse error = LambdaApi.syncResponse(new InvokeResult(new LambdaResponse(bytes(doc), "IllegalStateException"), null), null, "rid");
    assertThat(error.status().code()).isEqualTo(200);
    assertThat(error.headers().get("X-Amz-Function-Error")).isEqualTo("Unhandled");
    assertThat(body(error)).isEqualTo(doc);

    FullHttpResponse timeout = LambdaApi.syncResponse(new InvokeResult(null, new Failure.FunctionTimeout("too slow")), null, "rid");
    assertThat(timeout.status().code()).isEqualTo(200);
    assertThat(timeout.headers().get("X-Amz-Function-Error")).isEqualTo("Unhandled");
    assertThat(body(timeout)).isEqualTo("{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: rid Error: too slow\"}");

    FullHttpResponse crash = LambdaApi.syncResponse(new InvokeResult(null, new Failure.InstanceFailed("exited 7")), null, "rid");
    assertThat(body(crash)).contains("\"errorType\":\"Runtime.ExitError\"");

    FullHttpResponse init = LambdaApi.syncResponse(null, new Failure.InstanceFailed("function init failed"), "rid");
    assertThat(init.status().code()).isEqualTo(200);
    assertThat(init.headers().get("X-Amz-Function-Error")).isEqualTo("Unhandled");

    FullHttpResponse notRun = LambdaApi.syncResponse(null, new Failure.QueueFull("full"), "rid");
    assertThat(type(notRun)).isEqualTo("429 TooManyRequestsException");
    assertThat(notRun.headers().contains("X-Amz-Executed-Version")).isFalse();
  }

  @Test
  void theLogTailHoldsOnlyTheInvocationsLinesWithoutPrefixesAndAtMost4Kb() {
    List<String> log = List.of(
        "2026-01-01T00:00:00.000Z rid [f-1] START RequestId: rid Version: 1",
        "2026-01-01T00:00:00.001Z other [f-2] START RequestId: other Version: 1",
        "2026-01-01T00:00:00.002Z rid [f-1] hello from the function",
        "2026-01-01T00:00:00.003Z - [f-1] INSTANCE ready",
        "2026-01-01T00:00:00.004Z rid [f-1] REPORT RequestId: rid\tDuration: 1.00 ms");
    String text = new String(Base64.getDecoder().decode(LambdaApi.logResult(log, "rid")), StandardCharsets.UTF_8);
    assertThat(text).isEqualTo("START RequestId: rid Version: 1\nhello from the function\nREPORT RequestId: rid\tDuration: 1.00 ms\n");

    List<String> noisy = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      noisy.add("2026-01-01T00:00:00.000Z rid [f-1] line " + i);
    }
    byte[] tail = Base64.getDecoder().decode(LambdaApi.logResult(noisy, "rid"));
    assertThat(tail).hasSize(LambdaApi.MAX_TAIL_BYTES);
    assertThat(new String(tail, StandardCharsets.UTF_8)).endsWith("line 499\n");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String body(FullHttpResponse res) {
    return res.content().toString(StandardCharsets.UTF_8);
  }

  private static String type(FullHttpResponse res) {
    return res.status().code() + " " + res.headers().get("x-amzn-ErrorType");
  }
}
