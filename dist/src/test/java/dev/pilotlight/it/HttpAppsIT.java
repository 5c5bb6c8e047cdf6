package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Web apps of the {@code http} runtime: a Spring Boot app end to end, the HTTP readiness probe, a burst at a fresh instance. */
class HttpAppsIT {
  @Test
  void aSpringBootAppAnswersThroughTheGatewayColdAndFromItsAotCache(@TempDir Path data) {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("spring-boot-web"));
      JsonNode fn = d.status("spring-boot-web");
      assertThat(fn.path("runtime").asText()).isEqualTo("http");
      assertThat(fn.path("readinessPath").asText()).isEqualTo("/");

      HttpResponse<String> hello = d.get("/fn/spring-boot-web/?name=Ann");
      assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
      assertThat(hello.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
      assertThat(hello.body()).isEqualTo("{\"greeting\":\"Hello, Ann\",\"name\":\"Ann\"}");
      HttpResponse<String> echo = d.send(HttpRequest.newBuilder(URI.create(d.url() + "/fn/spring-boot-web/echo"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":[1,2]}")).build());
      assertThat(echo.body()).isEqualTo("{\"received\":{\"a\":[1,2]},\"keys\":1}");

      // the deploy queued the AOT training (start-up plus GET /); the next cold start maps its cache
      eventually(Duration.ofSeconds(120), "the app's AOT cache", () -> d.logs("spring-boot-web").contains("AOT cache ready"));
      assertThat(d.send(HttpRequest.newBuilder(URI.create(d.url() + "/api/v1/functions/spring-boot-web/instances")).DELETE().build())
          .statusCode()).isLessThan(300);
      eventually(Duration.ofSeconds(30), "no instance left", () -> d.status("spring-boot-web").path("instances").asInt() == 0);
      assertThat(d.get("/fn/spring-boot-web/?name=Cache").body()).contains("Hello, Cache");
      assertThat(d.status("spring-boot-web").path("lastColdStart").path("strategy").asText()).isEqualTo("aot");
    }
  }

  @Test
  void anInstanceIsReadyOnceItsReadinessPathGetsAnyAnswer(@TempDir Path data) {
    try (DaemonFixture d = new DaemonFixture(data)) {
      // hello-http answers /status?code=503 with 503 and logs each request: the probe's answer is a 503, and that counts
      d.deploy(example("hello-http"), "--name", "probed", "--readiness-path", "/status?code=503", "--env", "PILOTLIGHT_LAUNCH=plain");
      assertThat(d.status("probed").path("readinessPath").asText()).isEqualTo("/status?code=503");
      assertThat(d.get("/fn/probed/?name=Ann").body()).contains("Hello, Ann");
      // the app prints its request lines after answering; they reach the log a moment later
      eventually(Duration.ofSeconds(10), "the app's request lines in the log", () -> d.logs("probed").contains("GET /?name=Ann 200"));
      // the probe's line comes too; not in its place relative to the request's, nor necessarily before it: the app
      // answers on a thread per request and prints after answering, so the probe's thread may print after the
      // request's (seen twice in CI), and the daemon reads a busy app's output in batches
      eventually(Duration.ofSeconds(10), "the probe's request line in the log", () -> d.logs("probed").contains("GET /status?code=503 503"));
      assertThat(d.status("probed").path("instances").asInt()).isPositive();
    }
  }

  @Test
  void aBurstAtAFreshInstanceIsAllAnsweredWithoutOverflowingTheAppsAcceptQueue(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      // a plain JVM start: the app (JDK HttpServer, accept queue of 50, one thread) is at its slowest
      d.deploy(example("hello-http"), "--name", "burst", "--env", "PILOTLIGHT_LAUNCH=plain");
      long overflowsBefore = listenOverflows();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // a connection per request in flight
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(d.url() + "/fn/burst/?name=c" + i)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      for (int i = 0; i < calls.size(); i++) {
        HttpResponse<String> r = calls.get(i).get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("Hello, c" + i);
      }
      // the proxy opened connections no faster than the app took them (InstanceConnections)
      assertThat(listenOverflows()).as("listen queue overflows on this host during the burst").isEqualTo(overflowsBefore);
    }
  }

  @Test
  void aLargeDownloadThroughASlowClientIsNotHeldInTheDaemon(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(example("hello-http"), "--name", "big");
      assertThat(d.get("/fn/big/?name=x").statusCode()).isEqualTo(200);
      long mib = 512;
      long peak = 0;
      long read = 0;
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", java.net.URI.create(d.url()).getPort())) {
        s.setReceiveBufferSize(64 * 1024);
        s.getOutputStream().write(("GET /fn/big/bytes?mb=" + mib + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        var in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        read += in.read(buf);
        // The client stops reading for 3 s: without backpressure the app would keep sending and
        // the daemon would hold what it sent (hundreds of MB) in its write buffers.
        for (int i = 0; i < 30; i++) {
          Thread.sleep(100);
          peak = Math.max(peak, nettyDirectBytes());
        }
        for (int n; (n = in.read(buf)) > 0; ) {
          read += n;
          if ((read & ((16 << 20) - 1)) < n) {
            peak = Math.max(peak, nettyDirectBytes());
          }
        }
      }
      assertThat(read).as("the whole body (and the response head) arrived").isGreaterThan(mib << 20);
      assertThat(peak).as("direct memory Netty held while the client was slow").isLessThan(96L << 20);
    }
  }

  /** What Netty's default allocator holds in direct memory now (the daemon runs in this JVM). */
  private static long nettyDirectBytes() {
    var alloc = io.netty.buffer.ByteBufAllocator.DEFAULT;
    if (alloc instanceof io.netty.buffer.ByteBufAllocatorMetricProvider m) {
      return m.metric().usedDirectMemory();
    }
    throw new IllegalStateException("the default allocator reports no metrics: " + alloc);
  }

  /** The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows). */
  private static long listenOverflows() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
        List<String> names = List.of(lines.get(i).split(" "));
        return Long.parseLong(lines.get(i + 1).split(" ")[names.indexOf("ListenOverflows")]);
      }
    }
    throw new IllegalStateException("no TcpExt in /proc/net/netstat");
  }
}
