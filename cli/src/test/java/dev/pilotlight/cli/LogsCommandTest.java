package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.cli.FakeDaemon.Reply;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogsCommandTest extends AgainstFakeDaemon {

  @Test
  void logs_asksForTheTailAndPrintsLines() {
    daemon.on("GET", "/api/v1/functions/f/logs", new Reply(200, Map.of("Content-Type", "text/plain"), "one\ntwo\n"));

    var r = cli.run("logs", "f");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("one\ntwo\n");
    assertThat(daemon.only().uri()).isEqualTo("/api/v1/functions/f/logs?tail=100");
  }

  @Test
  void logs_follow_printsEachLineAsItArrives() {
    CountDownLatch firstPrinted = new CountDownLatch(1);
    daemon.onRaw("GET", "/api/v1/functions/f/logs", exchange -> {
      exchange.sendResponseHeaders(200, 0); // chunked: the stream stays open
      try (OutputStream body = exchange.getResponseBody()) {
        body.write("first\n".getBytes(StandardCharsets.UTF_8));
        body.flush();
        // The second line is only written once the CLI has printed the first: proof it streams.
        boolean printed = firstPrinted.await(30, TimeUnit.SECONDS);
        body.write((printed ? "second\n" : "first line was not printed while the stream was open\n")
            .getBytes(StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    OutputStream watcher = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        super.write(b, off, len);
        if (toString(StandardCharsets.UTF_8).contains("first\n")) {
          firstPrinted.countDown();
        }
      }
    };

    var r = cli.run(watcher, "logs", "f", "--tail", "5", "--follow");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("first\nsecond\n");
    assertThat(daemon.only().uri()).isEqualTo("/api/v1/functions/f/logs?tail=5&follow=true");
  }

  @Test
  void logs_unknownFunction() {
    daemon.on("GET", "/api/v1/functions/nope/logs", Reply.error(404, "FunctionNotFound", "function 'nope' does not exist"));

    var r = cli.run("logs", "nope", "-f");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: function 'nope' does not exist\n");
  }

  @Test
  void logs_negativeTail_exit64() {
    assertThat(cli.run("logs", "f", "--tail", "-1").exit()).isEqualTo(64);
  }
}
