package dev.pilotlight.runner;

import static dev.pilotlight.runner.TestFunctions.invocation;
import static dev.pilotlight.runner.TestFunctions.load;
import static dev.pilotlight.runner.TestFunctions.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each handler kind, loaded through a function class loader and invoked as the loop does. */
class FunctionHandlerTest {

  private static Object runJson(String handler, String event) throws Exception {
    FunctionHandler.Outcome outcome = load(handler).run(invocation("req-1", event));
    assertThat(outcome.failed()).as(text(outcome.body())).isFalse();
    return JsonParser.parse(text(outcome.body()));
  }

  @Test
  void requestHandlerGetsItsGenericInputTypeEvenFromASuperclass() throws Exception {
    Object result =
        runJson(
            "testfixtures.OrderHandler",
            "{\"customer\":\"ann\",\"isGift\":true,\"createdAt\":1700000000000,\"quantities\":{\"a\":2},"
                + "\"items\":[{\"sku\":\"a\",\"quantity\":2,\"price\":1.5},{\"sku\":\"b\",\"quantity\":1,\"price\":4}]}");

    assertThat(result)
        .isEqualTo(
            Map.of(
                "customer", "ann",
                "firstSku", "a",
                "total", 7.0,
                "gift", true,
                "quantities", Map.of("a", 2),
                "createdAt", 1700000000000L));
  }

  @Test
  void requestStreamHandlerGetsRawBytesAndItsOutputIsTheResponse() throws Exception {
    FunctionHandler.Outcome outcome = load("testfixtures.UpperStream").run(invocation("r", "not json, é"));

    assertThat(outcome.failed()).isFalse();
    assertThat(text(outcome.body())).isEqualTo("NOT JSON, É");
  }

  @Test
  void plainMethodsAreFoundByNameAndShape() throws Exception {
    assertThat(runJson("testfixtures.PlainMethods::greet", "{\"name\":\"Ann\"}")).isEqualTo("hi Ann");
    assertThat(runJson("testfixtures.PlainMethods::echoString", "\"text\"")).isEqualTo("text for req-1");
    assertThat(runJson("testfixtures.PlainMethods::echoString", "{\"raw\": 1}"))
        .isEqualTo("{\"raw\": 1} for req-1");
    assertThat(runJson("testfixtures.PlainMethods::ping", "{}")).isEqualTo(42);
    assertThat(runJson("testfixtures.PlainMethods::move", "{\"x\":1,\"y\":2,\"label\":\"p\"}"))
        .isEqualTo(Map.of("x", 2, "y", 3, "label", "p"));
    FunctionHandler.Outcome copied = load("testfixtures.PlainMethods::copy").run(invocation("r", "[1, 2]"));
    assertThat(text(copied.body())).isEqualTo("[1, 2]");
  }

  @Test
  void contextDescribesTheFunctionAndTheInvocation() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Object result;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      result = runJson("testfixtures.ContextProbe", "{\"k\":[1]}");
    } finally {
      System.setOut(original);
    }

    Map<String, Object> expected =
        new HashMap<>(
            Map.ofEntries(
                Map.entry("requestId", "req-1"),
                Map.entry("functionName", "probe"),
                Map.entry("functionVersion", "7"),
                Map.entry("memory", 256),
                Map.entry("arn", "arn:aws:lambda:us-east-1:000000000000:function:probe"),
                Map.entry("logGroup", "/aws/lambda/probe"),
                Map.entry("logStream", "stream-1"),
                Map.entry("remainingPositive", true),
                Map.entry("tccl", true),
                Map.entry("event", Map.of("k", List.of(1)))));
    expected.put("identity", null);
    expected.put("trace", null);
    assertThat(result).isEqualTo(expected);
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("probe log for req-1\n");
  }

  @Test
  void functionErrorsUseLambdasShape() throws Exception {
    FunctionHandler.Outcome outcome = load("testfixtures.Failing").run(invocation("r", "{}"));

    assertThat(outcome.failed()).isTrue();
    assertThat(outcome.errorType()).isEqualTo("IllegalStateException");
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) JsonParser.parse(text(outcome.body()));
    assertThat(error).containsEntry("errorMessage", "boom").containsEntry("errorType", "java.lang.IllegalStateException");
    assertThat((List<?>) error.get("stackTrace"))
        .isNotEmpty()
        .allSatisfy(frame -> assertThat((String) frame).doesNotContain("reflect").doesNotContain("pilotlight"));
    assertThat(((String) ((List<?>) error.get("stackTrace")).get(0))).startsWith("testfixtures.Failing.handleRequest(");
    @SuppressWarnings("unchecked")
    Map<String, Object> cause = (Map<String, Object>) error.get("cause");
    assertThat(cause)
        .containsEntry("errorMessage", "root cause")
        .containsEntry("errorType", "java.lang.IllegalArgumentException");
  }

  @Test
  void misbehavingFunctionsBecomeErrorsAndLeaveTheThreadClean() throws Exception {
    FunctionHandler.Outcome unserializable = load("testfixtures.Misbehaving::unserializable").run(invocation("r", "{}"));
    assertThat(unserializable.failed()).isTrue();
    assertThat(text(unserializable.body())).contains("no value today");

    FunctionHandler.Outcome overflow = load("testfixtures.Misbehaving::overflow").run(invocation("r", "{}"));
    assertThat(overflow.errorType()).isEqualTo("StackOverflowError");

    FunctionHandler.Outcome interrupted = load("testfixtures.Misbehaving::interruptSelf").run(invocation("r", "{}"));
    assertThat(text(interrupted.body())).isEqualTo("\"interrupted\"");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void invalidJsonInputIsTheInvocationsError() throws Exception {
    FunctionHandler.Outcome outcome = load("testfixtures.OrderHandler").run(invocation("r", "{oops"));

    assertThat(outcome.failed()).isTrue();
    assertThat(outcome.errorType()).isEqualTo("IllegalArgumentException");
    assertThat(text(outcome.body())).contains("Invalid JSON at offset 1");
  }
}
