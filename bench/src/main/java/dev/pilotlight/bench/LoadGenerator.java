package dev.pilotlight.bench;

import dev.pilotlight.executor.RawHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop HTTP clients, as {@code hey -c N -z D} runs them: each client has its own keep-alive
 * connection (opened before the start, so all first requests leave together), sends one request,
 * reads the whole answer, and sends the next, until the duration is over. A connection the server
 * closes, or any I/O error, is recorded and the client reconnects.
 */
final class LoadGenerator {
  /** Status of a call that got no HTTP answer (I/O error, timeout). */
  static final int NO_ANSWER = -1;

  /** One call, times in nanoseconds since the run's start. */
  record Call(int client, long startNanos, long endNanos, int status) {
    double millis() {
      return (endNanos - startNanos) / 1e6;
    }

    boolean ok() {
      return status / 100 == 2;
    }
  }

  /** Every call of a run, and its length. */
  record Run(int clients, Duration duration, List<Call> calls) {}

  private final InetSocketAddress address;
  private final String method;
  private final String target;
  private final byte[] body;
  private final Duration readTimeout;
  private final String token;

  /** @param token a bearer token sent on every call, or null */
  LoadGenerator(InetSocketAddress address, String method, String target, byte[] body, Duration readTimeout, String token) {
    this.token = token;
    this.address = address;
    this.method = method;
    this.target = target;
    this.body = body;
    this.readTimeout = readTimeout;
  }

  /**
   * Runs {@code clients} clients for {@code duration}; {@code onStart} runs at the moment the
   * clients are released (the run's time zero, e.g. to start an observer on the same clock).
   */
  Run run(int clients, Duration duration, Runnable onStart) throws InterruptedException {
    List<List<Call>> perClient = new ArrayList<>();
    List<RawHttp> connections = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      perClient.add(new ArrayList<>());
      connections.add(connectOrNull());
    }
    CountDownLatch go = new CountDownLatch(1);
    long[] origin = new long[1];
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        int client = c;
        threads.submit(() -> {
          go.await();
          loop(client, connections.get(client), origin[0], origin[0] + duration.toNanos(), perClient.get(client));
          return null;
        });
      }
      origin[0] = System.nanoTime();
      onStart.run();
      go.countDown();
      threads.shutdown();
      if (!threads.awaitTermination(duration.plus(readTimeout).plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BenchFailure("load clients still running " + readTimeout.plusSeconds(30).toSeconds() + " s after the run's end");
      }
    }
    List<Call> all = new ArrayList<>();
    perClient.forEach(all::addAll);
    return new Run(clients, duration, all);
  }

  private void loop(int client, RawHttp connection, long origin, long deadline, List<Call> calls) {
    RawHttp http = connection;
    try {
      while (System.nanoTime() < deadline) {
        long start = System.nanoTime();
        int status;
        try {
          if (http == null) {
            http = RawHttp.connect(address, readTimeout, token);
          }
          RawHttp.Response r = http.send(method, target, body);
          status = r.status();
          if ("close".equalsIgnoreCase(r.headers().getOrDefault("Connection", ""))) {
            http.close();
            http = null;
          }
        } catch (IOException e) {
          status = NO_ANSWER;
          closeQuietly(http);
          http = null;
        }
        calls.add(new Call(client, start - origin, System.nanoTime() - origin, status));
      }
    } finally {
      closeQuietly(http);
    }
  }

  private RawHttp connectOrNull() {
    try {
      return RawHttp.connect(address, readTimeout, token);
    } catch (IOException e) {
      return null; // the client connects on its first call and records the failure there
    }
  }

  private static void closeQuietly(RawHttp http) {
    if (http != null) {
      try {
        http.close();
      } catch (IOException ignored) {
        // already broken
      }
    }
  }
}
