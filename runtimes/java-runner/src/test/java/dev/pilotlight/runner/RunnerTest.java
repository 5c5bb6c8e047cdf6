package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole runner, in-process, against a fake Runtime API over real sockets. */
class RunnerTest {
  @TempDir Path taskRoot;

  private RunnerConfig config(FakeRuntimeApi api, String handler, String concurrency) throws Exception {
    TestFunctions.packagedTaskRoot(taskRoot);
    Map<String, String> env = new HashMap<>();
    env.put("AWS_LAMBDA_RUNTIME_API", api.address());
    env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
    env.put("PILOTLIGHT_CONCURRENCY", concurrency);
    return TestFunctions.config(handler, env);
  }

  private static CompletableFuture<Integer> start(RunnerConfig config) {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread thread = new Thread(() -> exit.complete(Runner.run(config)), "runner-under-test");
    thread.setDaemon(true);
    thread.start();
    return exit;
  }

  @Test
  void servesEventsReportsErrorsAndExitsWhenTheApiGoesAway() throws Exception {
    FakeRuntimeApi api = new FakeRuntimeApi();
    CompletableFuture<Integer> exit = start(config(api, "testfixtures.ContextProbe", "1"));

    api.enqueue("req-1", "{\"n\":1}");
    FakeRuntimeApi.Post first = api.awaitPost();
    assertThat(first.path()).isEqualTo("/2018-06-01/runtime/invocation/req-1/response");
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) JsonParser.parse(first.body());
    assertThat(result)
        .containsEntry("requestId", "req-1")
        .containsEntry("trace", "Root=1-trace-req-1")
        .containsEntry("arn", "arn:aws:lambda:us-east-1:000000000000:function:probe")
        .containsEntry("event", Map.of("n", 1));

    api.enqueueChunked("req-2", "{\"n\":[2]}");
    FakeRuntimeApi.Post second = api.awaitPost();
    assertThat(second.path()).isEqualTo("/2018-06-01/runtime/invocation/req-2/response");
    assertThat(second.body()).contains("\"event\":{\"n\":[2]}");

    api.enqueue("req-3", "{not json");
    FakeRuntimeApi.Post third = api.awaitPost();
    assertThat(third.path()).isEqualTo("/2018-06-01/runtime/invocation/req-3/error");
    assertThat(third.headers()).containsEntry("lambda-runtime-function-error-type", "IllegalArgumentException");
    assertThat(third.body()).startsWith("{\"errorMessage\":\"Invalid JSON at offset 1");

    api.enqueue("req-4", "{}");
    assertThat(api.awaitPost().path()).endsWith("/req-4/response");

    api.close();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(Runner.EXIT_CONNECTION_LOST);
  }

  @Test
  void functionErrorsGoToTheErrorEndpointAndTheLoopContinues() throws Exception {
    try (FakeRuntimeApi api = new FakeRuntimeApi()) {
      start(config(api, "testfixtures.Failing", "1"));

      for (String id : List.of("a", "b")) {
        api.enqueue(id, "{}");
        FakeRuntimeApi.Post post = api.awaitPost();
        assertThat(post.path()).isEqualTo("/2018-06-01/runtime/invocation/" + id + "/error");
        assertThat(post.headers())
            .containsEntry("lambda-runtime-function-error-type", "IllegalStateException")
            .containsEntry("content-type", "application/vnd.aws.lambda.error+json");
        assertThat(post.body()).startsWith("{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.IllegalStateException\"");
      }
    }
  }

  @Test
  void initFailuresArePostedToInitErrorAndExitWithOne() throws Exception {
    try (FakeRuntimeApi api = new FakeRuntimeApi()) {
      int status = Runner.run(config(api, "testfixtures.ConstructorFails", "1"));

      assertThat(status).isEqualTo(Runner.EXIT_INIT_FAILED);
      FakeRuntimeApi.Post post = api.awaitPost();
      assertThat(post.path()).isEqualTo("/2018-06-01/runtime/init/error");
      assertThat(post.headers()).containsEntry("lambda-runtime-function-error-type", "Runtime.BadFunctionCode");
      assertThat(post.body())
          .startsWith("{\"errorMessage\":\"init failed on purpose\",\"errorType\":\"java.lang.RuntimeException\"");
    }
  }

  @Test
  void concurrencyRunsThatManyLoopsAtOnce() throws Exception {
    try (FakeRuntimeApi api = new FakeRuntimeApi()) {
      start(config(api, "testfixtures.Rendezvous", "2"));

      api.enqueue("x", "{}");
      api.enqueue("y", "{}");

      // Rendezvous answers "together" only if both invocations are in flight at the same time.
      assertThat(api.awaitPost().body()).isEqualTo("\"together\"");
      assertThat(api.awaitPost().body()).isEqualTo("\"together\"");
    }
  }

  @Test
  void anUnreachableApiEndsTheRunnerWithTwo() throws Exception {
    FakeRuntimeApi api = new FakeRuntimeApi();
    RunnerConfig config = config(api, "testfixtures.Rendezvous", "1");
    api.close();

    assertThat(Runner.run(config)).isEqualTo(Runner.EXIT_CONNECTION_LOST);
  }
}
