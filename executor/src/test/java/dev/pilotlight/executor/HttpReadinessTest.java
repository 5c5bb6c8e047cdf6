package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.io.LoopbackPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The readiness probe against real loopback sockets that answer, refuse, close or talk nonsense. */
class HttpReadinessTest {
  private static final long ONE_MINUTE = TimeUnit.MINUTES.toNanos(1);

  private final List<ServerSocket> servers = new ArrayList<>();
  /** Each request head a fake app read, its lines joined with '\n'. */
  private final List<String> heads = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (ServerSocket s : servers) {
      s.close();
    }
  }

  /** A fake app: the n-th connection (from 0) gets {@code answers[min(n, last)]}; null closes it unanswered. */
  private InetSocketAddress app(String... answers) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(server);
    AtomicInteger n = new AtomicInteger();
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          String answer = answers[Math.min(n.getAndIncrement(), answers.length - 1)];
          if (answer == null) {
            continue;
          }
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
          StringBuilder head = new StringBuilder();
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            head.append(line).append('\n');
          }
          heads.add(head.toString());
          OutputStream out = s.getOutputStream();
          out.write(answer.getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException closed) {
          // the test is over
        }
      }
    });
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  private static InetSocketAddress nothingListening() throws IOException {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), LoopbackPorts.freePort());
  }

  @Test
  void anyHttpStatusCountsAsAnAnswer() throws IOException {
    InetSocketAddress app = app("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    assertThat(HttpReadiness.probe(app, "/healthz?probe=1", 10_000)).isEqualTo(404);
    assertThat(heads).singleElement().satisfies(head -> assertThat(head)
        .startsWith("GET /healthz?probe=1 HTTP/1.1\n")
        .contains("Host: 127.0.0.1:" + app.getPort() + "\n", "Connection: close\n"));
  }

  @Test
  void aServerErrorIsStillAnAnswer() throws IOException {
    assertThat(HttpReadiness.probe(app("HTTP/1.0 503 Service Unavailable\r\n\r\n"), "/", 10_000)).isEqualTo(503);
  }

  @Test
  void onlyAListenerOfTheInstancesUidCounts() throws Exception {
    int me = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
    InetSocketAddress app = app("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(HttpReadiness.probe(app, "/", 10_000, me)).as("this process's own listener").isEqualTo(200);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpReadiness.probe(app, "/", 10_000, me + 4242))
        .isInstanceOf(HttpReadiness.ForeignListener.class)
        .hasMessageContaining("port " + app.getPort() + " is served by a process of uid " + me + ", not the instance's app (uid "
            + (me + 4242) + ")");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpReadiness.await(app, "/", System.nanoTime() + 5_000_000_000L,
        () -> false, me + 4242)).isInstanceOf(HttpReadiness.ForeignListener.class);
  }

  @Test
  void refusedClosedOrNotHttpIsNoAnswer() throws IOException {
    assertThat(HttpReadiness.probe(nothingListening(), "/", 10_000)).isEqualTo(-1);
    assertThat(HttpReadiness.probe(app((String) null), "/", 10_000)).isEqualTo(-1);
    assertThat(HttpReadiness.probe(app("SSH-2.0-OpenSSH_9.2\r\n"), "/", 10_000)).isEqualTo(-1);
    assertThat(HttpReadiness.probe(app("HTTP/1.1 OK\r\n\r\n"), "/", 10_000)).isEqualTo(-1);
  }

  @Test
  void awaitRetriesUntilTheAppAnswers() throws Exception {
    InetSocketAddress app = app(null, null, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    assertThat(HttpReadiness.await(app, "/", System.nanoTime() + ONE_MINUTE, () -> false)).isTrue();
    assertThat(heads).hasSize(1);
  }

  @Test
  void aRequestSentBeforeTheAppAcceptsIsAnsweredOnceItDoes() throws Exception {
    // Bound and listening, but not accepting yet: the kernel completes the connection and the
    // request waits in it, as with a JVM that has bound its port but not started serving.
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(server);
    InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
    CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
      try {
        return HttpReadiness.await(address, "/", System.nanoTime() + ONE_MINUTE, () -> false);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    try (Socket s = server.accept()) {
      assertThat(ready).isNotDone();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("GET / HTTP/1.1");
      s.getOutputStream().write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(ready.get(1, TimeUnit.MINUTES)).isTrue();
  }

  @Test
  void awaitGivesUpAtTheDeadlineOrWhenTold() throws Exception {
    InetSocketAddress nobody = nothingListening();
    assertThat(HttpReadiness.await(nobody, "/", System.nanoTime() - 1, () -> false)).isFalse();
    assertThat(HttpReadiness.await(nobody, "/", System.nanoTime() + ONE_MINUTE, () -> true)).isFalse();
    AtomicInteger checks = new AtomicInteger();
    assertThat(HttpReadiness.await(nobody, "/", System.nanoTime() + ONE_MINUTE, () -> checks.incrementAndGet() > 3)).isFalse();
    assertThat(checks).hasValue(4);
  }
}
