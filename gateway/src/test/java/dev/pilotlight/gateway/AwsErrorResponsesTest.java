package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Failure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AwsErrorResponsesTest {
  @Test
  void aRunThatFailedIsNamedAsLambdaNamesIt() {
    assertThat(AwsErrorResponses.functionErrorType(new Failure.FunctionTimeout("timed out after 3 s"))).isEqualTo("Sandbox.Timedout");
    assertThat(AwsErrorResponses.functionErrorType(new Failure.InstanceFailed(
        "Runtime.OutOfMemory: instance f-1 used more than its 128 MB (memory) and was ended by the kernel")))
        .isEqualTo("Runtime.OutOfMemory");
    assertThat(AwsErrorResponses.functionErrorType(new Failure.InstanceFailed("instance f-1 exited with code 1")))
        .isEqualTo("Runtime.ExitError");
  }

  @Test
  void aTimeoutIsWordedAsLambdaWordsItWhateverThePlatformSaid() {
    var timeout = new Failure.FunctionTimeout("function 'f' did not finish within its timeout of 3000 ms", Duration.ofSeconds(3));
    assertThat(AwsErrorResponses.functionErrorDocument(timeout, "rid"))
        .containsEntry("errorType", "Sandbox.Timedout")
        .containsEntry("errorMessage", "RequestId: rid Error: Task timed out after 3.00 seconds");
    assertThat(AwsErrorResponses.functionErrorMessage(new Failure.FunctionTimeout("x", Duration.ofMillis(1500)), "r2"))
        .isEqualTo("RequestId: r2 Error: Task timed out after 1.50 seconds");
    assertThat(AwsErrorResponses.functionErrorMessage(new Failure.InstanceFailed("instance f-1 exited with code 1"), "r3"))
        .isEqualTo("RequestId: r3 Error: instance f-1 exited with code 1");
  }

  @Test
  void aThrottleSaysWhetherTheFunctionsReservedConcurrencyWasTheLimit() {
    var reserved = AwsErrorResponses.of(new Failure.QueueFull("function 'f' has 4 requests waiting for an instance", true));
    assertThat(reserved.status().code()).isEqualTo(429);
    assertThat(reserved.headers().get("x-amzn-ErrorType")).isEqualTo("TooManyRequestsException");
    assertThat(reserved.content().toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"");
    assertThat(reserved.headers().get("Retry-After")).isEqualTo("1");
    reserved.release();
    var node = AwsErrorResponses.of(new Failure.QueueTimeout("no instance of 'f' became free"));
    assertThat(node.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"Reason\":\"ConcurrentInvocationLimitExceeded\"");
    assertThat(node.headers().get("Retry-After")).isEqualTo("1");
    node.release();
  }

  @Test
  void aFunctionStoppedByAReservedConcurrencyOfZeroIsThrottledWithNoRetryAfter() {
    Failure.QueueFull stopped = Failure.QueueFull.stopped("function 'f' has a reserved concurrency of 0: every call is throttled");
    var aws = AwsErrorResponses.of(stopped);
    assertThat(aws.status().code()).isEqualTo(429);
    assertThat(aws.headers().get("x-amzn-ErrorType")).isEqualTo("TooManyRequestsException");
    assertThat(aws.content().toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"");
    assertThat(aws.headers().contains("Retry-After")).isFalse();
    aws.release();
    var own = ErrorResponses.of(stopped);
    assertThat(own.status().code()).isEqualTo(429);
    assertThat(own.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"error\":\"Throttled\"");
    assertThat(own.headers().contains("Retry-After")).isFalse();
    own.release();
    var full = ErrorResponses.of(new Failure.QueueFull("function 'f' has 1000 requests waiting for an instance"));
    assertThat(full.content().toString(java.nio.charset.StandardCharsets.UTF_8)).contains("\"error\":\"QueueFull\"");
    assertThat(full.headers().get("Retry-After")).isEqualTo("1");
    full.release();
  }
}
