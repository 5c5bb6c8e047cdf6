package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static dev.pilotlight.it.DaemonFixture.example;
import static dev.pilotlight.it.DaemonFixture.testFunctions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.bench.NetnsNetwork;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three daemons as one cluster, each a process in a network namespace of its own with its own
 * address (made here with {@code ip netns} and a veth pair per daemon on a bridge), sharing the
 * machine's PostgreSQL through a relay on the bridge's address. Only those addresses and loopback
 * are used. Proves: a deploy on one is served by all; a function's calls land where it is warm;
 * one daemon {@code kill -9}ed or cut off under load: new calls succeed within seconds and no
 * acknowledged async event is lost; the daemon comes back and rejoins.
 */
class ClusterIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+)");
  private static final int PORT = 8080;

  private final String schema = "cluster_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  private final List<Node> nodes = new ArrayList<>();
  private NetnsNetwork network;

  @TempDir Path dir;

  /** One daemon: its namespace, address, data dir and process. */
  final class Node {
    final int index;
    final String address;
    final Path data;
    Process process;

    Node(int index) {
      this.index = index;
      this.address = network.address(index - 1);
      this.data = dir.resolve("node-" + index);
    }

    String url() {
      return "http://" + address + ":" + PORT;
    }

    void start() throws Exception {
      String java = ProcessHandle.current().info().command().orElseThrow();
      Path lib = DaemonFixture.ROOT.resolve("dist/target/pilotlight/lib");
      String database = "postgresql://postgres@" + network.hostAddress() + ":" + network.relayPort() + "/test?currentSchema=" + schema;
      List<String> command = new ArrayList<>(network.enter(index - 1));
      command.addAll(List.of(java, "-cp", lib + "/*", "-Dpilotlight.runner.jar=" + DaemonFixture.RUNNER, "dev.pilotlight.server.Main",
          "--host", address, "--port", String.valueOf(PORT), "--data-dir", data.toString(), "--database", database, "--node-id",
          "node-" + index, "--secrets-key", dir.resolve("secrets.key").toString(), "--scale-down-delay", "0s"));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      StringBuilder seen = new StringBuilder();
      for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        Matcher m = SERVING.matcher(line);
        if (m.find()) {
          Thread.ofVirtual().start(() -> {
            try {
              out.lines().forEach(l -> { }); // keep draining its output
            } catch (java.io.UncheckedIOException closed) {
              // the daemon was killed: its output ended
            }
          });
          return;
        }
      }
      process.destroyForcibly();
      throw new AssertionError("node " + index + " did not start; it printed:\n" + seen);
    }

    void kill9() throws InterruptedException {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      children.forEach(ProcessHandle::destroyForcibly);
    }

    void stop() throws InterruptedException {
      if (process == null || !process.isAlive()) {
        return;
      }
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }

    HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(20))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .header("Authorization", "Bearer " + TestAuth.adminToken(nodes.getFirst().data));
      headers.forEach(b::header);
      try {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    HttpResponse<String> get(String path) {
      return send("GET", path, null, Map.of());
    }

    int liveNodes() {
      try {
        return DaemonFixture.JSON.readTree(get("/api/v1/node").body()).path("cluster").path("nodes").size();
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    long coldStarts(String function) {
      try {
        return DaemonFixture.JSON.readTree(get("/api/v1/functions/" + function).body()).findPath("coldStarts").asLong();
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }

    /** What this daemon's log file of {@code function} holds (it outlives the daemon). */
    String logFile(String function) {
      StringBuilder all = new StringBuilder();
      for (String name : List.of(function + ".log.1", function + ".log")) {
        Path f = data.resolve("logs").resolve(name);
        try {
          if (Files.exists(f)) {
            all.append(Files.readString(f));
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return all.toString();
    }
  }

  private static void sql(String statement) throws Exception {
    try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", null); var s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @BeforeEach
  void network() throws Exception {
    sql("CREATE SCHEMA " + schema);
    Files.writeString(dir.resolve("secrets.key"), Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    network = NetnsNetwork.create("10.231", 3, new InetSocketAddress("127.0.0.1", 5432));
    for (int i = 1; i <= 3; i++) {
      nodes.add(new Node(i));
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Node n : nodes) {
      n.stop();
    }
    if (network != null) {
      network.close();
    }
    sql("DROP SCHEMA " + schema + " CASCADE");
  }

  /** An Event invocation of async-sleep through {@code via}; its request id, once acknowledged ({@code 202}). */
  private static String event(TestAuth.Key key, Node via, String payload) throws Exception {
    HttpResponse<String> r = HTTP.send(TestAuth.signed(key, "POST", URI.create(via.url() + "/2015-03-31/functions/async-sleep/invocations"),
        payload, Map.of("X-Amz-Invocation-Type", "Event")), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return r.headers().firstValue("x-amzn-RequestId").orElseThrow();
  }

  /** The log files of {@code function} of every daemon, together. */
  private String allLogs(String function) {
    StringBuilder all = new StringBuilder();
    nodes.forEach(n -> all.append(n.logFile(function)));
    return all.toString();
  }

  @Test
  void threeDaemonsInTheirOwnNetworksServeAsOneAndALostOneLosesNothing() throws Exception {
    Node first = nodes.get(0);
    first.start(); // first alone: it makes the schema and the admin token the test uses
    nodes.get(1).start();
    nodes.get(2).start();
    for (Node n : nodes) {
      eventually(Duration.ofSeconds(20), "node " + n.index + " sees three", () -> n.liveNodes() == 3);
    }

    // deploy through one, call through the others: one home, one cold start for the cluster
    DaemonFixture.CliResult deploy = DaemonFixture.cliAt(first.url(), first.data, "deploy", example("hello-java"));
    assertThat(deploy.exit()).as(deploy.err()).isZero();
    DaemonFixture.CliResult async = DaemonFixture.cliAt(first.url(), first.data, "deploy", testFunctions(), "--name", "async-sleep",
        "--runtime", "java", "--handler", "fixtures.Sleep::handleRequest", "--timeout", "60s");
    assertThat(async.exit()).as(async.err()).isZero();
    for (Node n : nodes) {
      eventually(Duration.ofSeconds(15), "node " + n.index + " knows the functions",
          () -> n.get("/api/v1/functions/hello-java").statusCode() == 200 && n.get("/api/v1/functions/async-sleep").statusCode() == 200);
    }
    for (int i = 0; i < 9; i++) {
      HttpResponse<String> r = nodes.get(i % 3).get("/fn/hello-java/?name=c" + i);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("Hello, c" + i);
    }
    assertThat(nodes.stream().mapToLong(n -> n.coldStarts("hello-java")).sum()).as("cold starts across the cluster").isEqualTo(1);
    Node home = nodes.stream().filter(n -> n.coldStarts("hello-java") == 1).findFirst().orElseThrow();

    // async events through every daemon run once each; a schedule ticks once in the cluster (every daemon runs the tick loop)
    TestAuth.Key key = TestAuth.issueKey(HTTP, first.url(), TestAuth.adminToken(first.data), "invoke");
    eventually(Duration.ofSeconds(10), "the key known everywhere", () -> nodes.stream().allMatch(n -> {
      try {
        return HTTP.send(TestAuth.signed(key, "POST", URI.create(n.url() + "/2015-03-31/functions/async-sleep/invocations"), "{\"ms\":1}",
            Map.of()), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }));
    List<String> calm = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      calm.add(event(key, nodes.get(i % 3), "{\"ms\":50}"));
    }
    DaemonFixture.CliResult tick = DaemonFixture.cliAt(first.url(), first.data, "schedule", "add", "async-sleep", "rate(1 second)",
        "--payload", "{\"ms\":1}", "--id", "tick");
    assertThat(tick.exit()).as(tick.err()).isZero();
    for (String id : calm) {
      eventually(Duration.ofSeconds(30), "event " + id + " ran", () -> allLogs("async-sleep").contains("REPORT RequestId: " + id));
    }
    Thread.sleep(5000);
    assertThat(DaemonFixture.cliAt(first.url(), first.data, "schedule", "rm", "async-sleep", "tick").exit()).isZero();
    Thread.sleep(1500);
    String logs = allLogs("async-sleep");
    for (String id : calm) {
      assertThat(AsyncInvokeIT.count(logs, "START RequestId: " + id)).as("runs of " + id).isEqualTo(1);
    }
    List<String> dues = new ArrayList<>();
    Matcher due = Pattern.compile("SCHEDULE tick \\(.*?\\): due ([^,\\s]+), queued").matcher(logs);
    while (due.find()) {
      dues.add(due.group(1));
    }
    assertThat(dues).as("the ticks queued across the three daemons").hasSizeGreaterThanOrEqualTo(4).doesNotHaveDuplicates();

    // async events acknowledged through every daemon, then the daemon running them is killed
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(event(key, nodes.get(i % 3), "{\"ms\":300}"));
    }

    // bounded load through the daemons that stay, while the home of hello-java is killed
    List<Node> staying = nodes.stream().filter(n -> n != home).toList();
    List<Long> failureTimes = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Long> successTimes = java.util.Collections.synchronizedList(new ArrayList<>());
    long killedAt;
    Thread load = Thread.ofPlatform().start(() -> {
      for (int i = 0; i < 400 && !Thread.currentThread().isInterrupted(); i++) {
        Node via = staying.get(i % staying.size());
        long t = System.nanoTime();
        boolean ok;
        try {
          ok = via.get("/fn/hello-java/?name=load").body().contains("Hello, load");
        } catch (RuntimeException e) {
          ok = false;
        }
        (ok ? successTimes : failureTimes).add(t);
        try {
          Thread.sleep(25);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    Thread.sleep(1000);
    killedAt = System.nanoTime();
    home.kill9();
    load.join(TimeUnit.SECONDS.toMillis(60));
    load.interrupt();
    // calls after the daemon's loss succeed again within seconds, and every call after that succeeds
    long lastFailure = failureTimes.stream().mapToLong(Long::longValue).max().orElse(killedAt);
    assertThat(Duration.ofNanos(lastFailure - killedAt)).as("failures end within seconds of the loss").isLessThan(Duration.ofSeconds(10));
    assertThat(successTimes.stream().filter(t -> t > lastFailure).count()).as("calls after the last failure").isGreaterThan(50);
    System.out.printf("ClusterIT: node %d killed; %d of %d calls through the others failed, the last %d ms after the kill%n", home.index,
        failureTimes.size(), failureTimes.size() + successTimes.size(), TimeUnit.NANOSECONDS.toMillis(lastFailure - killedAt));

    // every acknowledged event ran: on the killed daemon before its loss, or after it on another
    for (String id : ids) {
      eventually(Duration.ofSeconds(60), "event " + id + " ran somewhere",
          () -> nodes.stream().anyMatch(n -> n.logFile("async-sleep").contains("REPORT RequestId: " + id)));
    }

    // the daemon comes back (same node id, same disk) and rejoins
    home.start();
    for (Node n : nodes) {
      eventually(Duration.ofSeconds(20), "node " + n.index + " sees three again", () -> n.liveNodes() == 3);
    }

    // one daemon cut off from the network: the others carry on, and it rejoins when it is back
    Node cut = staying.getFirst();
    Node other = staying.getLast();
    network.cut(cut.index - 1);
    eventually(Duration.ofSeconds(15), "the others see the cut daemon gone", () -> other.liveNodes() == 2);
    eventually(Duration.ofSeconds(15), "calls through the others succeed",
        () -> other.get("/fn/hello-java/?name=cut").body().contains("Hello, cut"));
    network.reconnect(cut.index - 1);
    eventually(Duration.ofSeconds(20), "the cut daemon rejoins", () -> other.liveNodes() == 3 && cut.liveNodes() == 3);
    assertThat(cut.get("/fn/hello-java/?name=back").body()).contains("Hello, back");
  }
}
