package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.Failure;
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
}
