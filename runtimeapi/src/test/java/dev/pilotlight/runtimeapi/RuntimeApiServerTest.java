package dev.pilotlight.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The spare endpoint: bound ahead, handed to the next instance, never once something used it. */
class RuntimeApiServerTest {
  final RuntimeApiServer server = RuntimeApiServer.create();

  @AfterEach
  void close() {
    server.close();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void theNextInstanceGetsTheSpareBoundAheadAndANewSpareFollows() throws Exception {
    RuntimeApiEndpoint first = server.open("i-1");
    await("a spare", () -> server.spareAddress() != null);
    String spare = server.spareAddress();
    assertThat(spare).isNotEqualTo(first.address());
    RuntimeApiEndpoint second = server.open("i-2");
    assertThat(second.address()).isEqualTo(spare);
    await("the next spare", () -> server.spareAddress() != null && !server.spareAddress().equals(spare));
    second.close();
    assertThat(second.ready()).isCompletedExceptionally();
    first.close();
  }

  @Test
  void aSpareSomethingPolledIsNeverHandedOut() throws Exception {
    server.open("i-1").close();
    await("a spare", () -> server.spareAddress() != null);
    String spare = server.spareAddress();
    // a stray local client polls the spare before any instance has it
    HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://" + spare + "/2018-06-01/runtime/invocation/next"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    await("the stray poll", () -> !server.spareIsPristine());
    RuntimeApiEndpoint next = server.open("i-2");
    assertThat(next.address()).isNotEqualTo(spare);
    assertThat(next.ready()).isNotDone();
    next.close();
  }
}
