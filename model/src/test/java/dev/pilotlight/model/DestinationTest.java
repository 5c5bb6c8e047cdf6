package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DestinationTest {
  @Test
  void aFunctionIsNamedByNameOrLambdaArnWithOrWithoutQualifier() {
    assertThat(Destination.parse("onFailure", "audit", "f")).isEqualTo(new Destination.Function("audit", null));
    assertThat(Destination.parse("onFailure", "audit:live", "f")).isEqualTo(new Destination.Function("audit", "live"));
    Destination arn = Destination.parse("onFailure", "arn:aws:lambda:eu-west-1:123456789012:function:audit:$LATEST", "f");
    assertThat(arn).isEqualTo(new Destination.Function("audit", "$LATEST"));
    assertThat(((Destination.Function) arn).target()).isEqualTo("audit:$LATEST");
    assertThat(new Destination.Function("audit", null).arn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:audit");
  }

  @Test
  void aQueueIsARabbitMqUriWhosePasswordIsNeverShown() {
    Destination q = Destination.parse("onSuccess", "amqp://u:secret@mq:5672/%2F?queue=done", "f");
    assertThat(q).isEqualTo(new Destination.Queue("amqp://u:secret@mq:5672/%2F?queue=done"));
    assertThat(q.arn()).isEqualTo("amqp://u:****@mq:5672/%2F?queue=done");
  }

  @Test
  void whatCannotBeSentToIsRefusedSayingWhatIsAccepted() {
    assertThatThrownBy(() -> Destination.parse("onFailure", "arn:aws:sqs:us-east-1:123456789012:q", "f"))
        .hasMessageContaining("onFailure").hasMessageContaining("no SQS").hasMessageContaining("amqp://");
    assertThatThrownBy(() -> Destination.parse("onFailure", "amqp://mq:5672/", "f")).hasMessageContaining("names no queue");
    assertThatThrownBy(() -> Destination.parse("onFailure", "kafka://b:9092?topic=t", "f")).hasMessageContaining("expected");
    assertThatThrownBy(() -> Destination.parse("deadLetter", "f", "f")).hasMessageContaining("its own destination");
  }

  @Test
  void aSpecKeepsItsDestinationsAndRefusesThemOnAnHttpApp() {
    FunctionSpec s = FunctionSpec.builder().name("f").runtime(Runtime.JAVA).handler("a.B").onSuccess(" audit ").deadLetter("").build();
    assertThat(s.onSuccess()).isEqualTo("audit");
    assertThat(s.deadLetter()).isNull();
    assertThat(s.successDestination()).contains(new Destination.Function("audit", null));
    assertThatThrownBy(() -> FunctionSpec.builder().name("w").runtime(Runtime.HTTP).command("x").onFailure("audit").build())
        .hasMessageContaining("only Lambda-style functions");
  }
}
