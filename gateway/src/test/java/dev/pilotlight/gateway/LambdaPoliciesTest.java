package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LambdaPoliciesTest {
  private static String statement(String principal, String body) {
    return LambdaPolicies.statement("sid", "lambda:InvokeFunction", principal, "arn:f", JsonBodies.object(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void principalsAreWrittenAsLambdaWritesThem() {
    assertThat(statement("s3.amazonaws.com", "{}")).isEqualTo(
        "{\"Sid\":\"sid\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"lambda:InvokeFunction\","
            + "\"Resource\":\"arn:f\"}");
    assertThat(statement("123456789012", "{}")).contains("\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"}");
    assertThat(statement("*", "{}")).contains("\"Principal\":\"*\"");
  }

  @Test
  void conditionsComeFromTheRequest() {
    assertThat(statement("*", "{\"SourceArn\":\"arn:aws:s3:::b\",\"SourceAccount\":\"123456789012\",\"FunctionUrlAuthType\":\"NONE\"}"))
        .endsWith("\"Condition\":{\"ArnLike\":{\"AWS:SourceArn\":\"arn:aws:s3:::b\"},\"StringEquals\":{\"AWS:SourceAccount\":"
            + "\"123456789012\",\"lambda:FunctionUrlAuthType\":\"NONE\"}}}");
    assertThatThrownBy(() -> statement("*", "{\"FunctionUrlAuthType\":\"OPEN\"}")).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("FunctionUrlAuthType: 'OPEN' (expected: NONE or AWS_IAM)");
  }
}
