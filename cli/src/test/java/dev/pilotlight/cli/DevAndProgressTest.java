package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** {@code deploy}'s progress of what the daemon prepares, and {@code dev}'s build, deploy and redeploy on change. */
class DevAndProgressTest extends AgainstFakeDaemon {
  private static final String PREPARING = CommandsTest.HELLO.replace("\"revision\":2,",
      "\"revision\":2,\"preparation\":{\"aot\":{\"revision\":2,\"state\":\"queued\",\"since\":\"2026-12-05T00:00:00Z\"},"
          + "\"snapshot\":{\"revision\":1,\"state\":\"ready\",\"since\":\"2026-12-04T00:00:00Z\"}},");

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  private long puts() {
    return daemon.requests().stream().filter(r -> r.method().equals("PUT")).count();
  }

  @Test
  void deployWaitShowsThePreparationOfTheNewRevisionUntilItIsReady() throws Exception {
    Path jar = Zips.write(tmp.resolve("hello-java.jar"), java.util.Map.of("a", "b"));
    daemon.on("PUT", "/api/v1/functions/hello-java", FakeDaemon.Reply.json(201, PREPARING));
    daemon.on("GET", "/api/v1/functions/hello-java", FakeDaemon.Reply.json(200, PREPARING.replace("\"state\":\"queued\"", "\"state\":\"running\"")));
    Thread ready = Thread.ofVirtual().start(() -> {
      try {
        eventually("the CLI reads the status", () -> daemon.requests().stream().anyMatch(r -> r.method().equals("GET")));
        daemon.on("GET", "/api/v1/functions/hello-java", FakeDaemon.Reply.json(200, PREPARING.replace("\"state\":\"queued\"",
            "\"state\":\"ready\",\"detail\":\"trained in 900 ms\"")));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    var r = cli.run("deploy", jar.toString(), "--runtime", "java", "--handler", "example.Hello", "--wait");
    ready.join();

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("deployed hello-java revision 2");
    assertThat(r.err()).contains("preparing: AOT cache: queued\n").contains("preparing: AOT cache: running\n")
        .endsWith("prepared: AOT cache: ready (trained in 900 ms)\n")
        .as("an older revision's step is not this deploy's").doesNotContain("snapshot");
  }

  @Test
  void withoutWaitingADeploySaysWhatGoesOnInTheBackground() throws Exception {
    Path jar = Zips.write(tmp.resolve("hello-java.jar"), java.util.Map.of("a", "b"));
    daemon.on("PUT", "/api/v1/functions/hello-java", FakeDaemon.Reply.json(201, PREPARING));

    var r = cli.run("deploy", jar.toString(), "--runtime", "java", "--handler", "example.Hello");

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEqualTo("preparing in the background: AOT cache: queued (pilotlight status hello-java shows it; "
        + "deploy --wait waits)\n");
    assertThat(daemon.requests()).hasSize(1);
  }

  @Test
  void devBuildsDeploysAndRedeploysOnAChangeButNotOnItsOwnBuildOutput() throws Exception {
    Path dir = tmp.resolve("hello-py");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: app.handler\n"
        + "build: mkdir -p gen && echo built >> gen/log\n");
    Files.writeString(dir.resolve("app.py"), "def handler(e, c):\n    return 1\n");
    daemon.on("PUT", "/api/v1/functions/hello-py", FakeDaemon.Reply.json(201, CommandsTest.HELLO.replace("hello-java", "hello-py")));
    ByteArrayOutputStream live = new ByteArrayOutputStream();
    AtomicReference<CliRunner.Result> result = new AtomicReference<>();
    Thread dev = Thread.ofPlatform().start(() -> result.set(cli.run(live, "dev", dir.toString(), "--no-logs")));

    eventually("the first deploy", () -> puts() == 1);
    assertThat(Files.readString(dir.resolve("gen/log"))).isEqualTo("built\n");
    assertThat(Zips.read(daemon.requests().getFirst().body()).get("pilotlight.yaml")).as("build: is not sent to the daemon")
        .doesNotContain("build");

    Files.writeString(dir.resolve("app.py"), "def handler(e, c):\n    return 2\n");
    eventually("the redeploy after the change", () -> puts() == 2);
    assertThat(Zips.read(daemon.requests().getLast().body()).get("app.py")).contains("return 2");
    eventually("the second build's output", () -> live.toString().contains("changed: app.py"));
    Thread.sleep(DevLoop.QUIET.toMillis() * 3); // the build wrote gen/log again (a watched directory): that is no change to act on
    assertThat(puts()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("gen/log"))).isEqualTo("built\nbuilt\n");
    Files.writeString(dir.resolve("app.py~"), "an editor's backup");
    Files.createDirectories(dir.resolve("target"));
    Files.writeString(dir.resolve("target/x"), "output");
    Thread.sleep(DevLoop.QUIET.toMillis() * 3);
    assertThat(puts()).as("backups and build output are not watched").isEqualTo(2);

    dev.interrupt();
    dev.join(10_000);
    assertThat(dev.isAlive()).isFalse();
    assertThat(result.get().exit()).isZero();
    assertThat(result.get().out()).contains("watching ").contains("building with: sh -c mkdir -p gen").contains("deployed hello-py revision 2");
  }

  @Test
  void aFailedBuildIsShownAndTheLoopWaitsForTheNextChange() throws Exception {
    Path dir = tmp.resolve("broken");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: app.handler\nbuild: test -f ok || (echo no ok file; exit 3)\n");
    Files.writeString(dir.resolve("app.py"), "x = 1\n");
    daemon.on("PUT", "/api/v1/functions/broken", FakeDaemon.Reply.json(201, CommandsTest.HELLO.replace("hello-java", "broken")));
    ByteArrayOutputStream live = new ByteArrayOutputStream();
    Thread dev = Thread.ofPlatform().start(() -> cli.run(live, "dev", dir.toString(), "--no-logs"));

    eventually("the failed build is shown", () -> live.toString().contains("failed: the build exited with 3"));
    assertThat(live.toString()).contains("no ok file");
    assertThat(puts()).isZero();
    Files.writeString(dir.resolve("ok"), "");
    eventually("the build passes and the function is deployed", () -> puts() == 1);
    dev.interrupt();
    dev.join(10_000);
    assertThat(dev.isAlive()).isFalse();
  }

  @Test
  void mavenBuildsAProjectWithAPom() {
    Path dir = tmp.resolve("svc");
    assertThat(DevCommand.buildCommand(dir, java.util.Map.of())).isEmpty();
    assertThat(DevCommand.buildCommand(dir, java.util.Map.of("build", "make"))).containsExactly("sh", "-c", "make");
  }
}
