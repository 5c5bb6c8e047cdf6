package dev.pilotlight.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pilotlight.executor.RawHttp;
import dev.pilotlight.model.io.FileTrees;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Daemons sharing one PostgreSQL database, each in a network namespace of its own with its own
 * address on a bridge made for the run ({@code ip netns}, veth pairs), reaching the database
 * through a relay on the bridge's address (PostgreSQL may listen on loopback only). Everything is
 * undone on close: processes, namespaces, links, the database schema, the data directories.
 */
final class NetnsCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PORT = 8080;
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  /** One daemon's place: its namespace, host-side link, address, data dir and process (null: not running). */
  final class Node {
    private final int index;
    private final String ip;
    private final Path data;
    private Process process;

    Node(int index) {
      this.index = index;
      this.ip = network.address(index);
      this.data = root.resolve("node-" + index);
    }

    int index() {
      return index;
    }

    InetSocketAddress address() {
      return new InetSocketAddress(ip, PORT);
    }

    String url() {
      return "http://" + ip + ":" + PORT;
    }

    long pid() {
      return process.pid();
    }

    boolean running() {
      return process != null && process.isAlive();
    }
  }

  private final String schema = "bench_cluster_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xfffffL);
  private final String database;
  private final BenchPaths paths;
  private final PrintStream progress;
  private final Path root;
  private final List<Node> nodes = new ArrayList<>();
  private NetnsNetwork network;

  private NetnsCluster(BenchPaths paths, String database, PrintStream progress) throws IOException {
    this.paths = paths;
    this.database = database;
    this.progress = progress;
    this.root = Files.createTempDirectory("pilotlight-cluster-bench-");
  }

  /** Makes the namespaces, the bridge, the relay and the schema for {@code n} daemons (none started yet). */
  static NetnsCluster create(BenchPaths paths, String database, int n, PrintStream progress) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new BenchFailure("bench cluster makes network namespaces and links: run it as root");
    }
    NetnsCluster c = new NetnsCluster(paths, database, progress);
    try {
      c.setUp(n);
    } catch (Exception e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void setUp(int n) throws Exception {
    sql("CREATE SCHEMA " + schema);
    Files.writeString(root.resolve("secrets.key"), Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    URI db = URI.create(database);
    network = NetnsNetwork.create("10.232", n, new InetSocketAddress(db.getHost(), db.getPort() > 0 ? db.getPort() : 5432));
    for (int i = 0; i < n; i++) {
      nodes.add(new Node(i));
    }
  }

  Node node(int i) {
    return nodes.get(i);
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** Starts {@code n}'s daemon (again, on its data dir, after a kill) and waits for it to answer. */
  void start(Node n) throws Exception {
    URI db = URI.create(database);
    String url = "postgresql://" + (db.getRawUserInfo() != null ? db.getRawUserInfo() + "@" : "") + network.hostAddress() + ":"
        + network.relayPort() + db.getRawPath() + "?currentSchema=" + schema;
    List<String> command = new ArrayList<>(network.enter(n.index));
    command.addAll(List.of(paths.launcher().toString(), "serve", "--host", n.ip, "--port", String.valueOf(PORT), "--data-dir",
        n.data.toString(), "--database", url, "--node-id", "node-" + n.index, "--secrets-key", root.resolve("secrets.key").toString()));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("daemon-" + n.index + ".log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    progress.println("starting node " + n.index + " on " + n.url() + " (log: " + root.resolve("daemon-" + n.index + ".log") + ")…");
    n.process = pb.start();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!n.process.isAlive()) {
        throw new BenchFailure("node " + n.index + " exited while starting; see " + root.resolve("daemon-" + n.index + ".log"));
      }
      try {
        if (RawHttp.once(n.address(), "GET", "/healthz", Duration.ofSeconds(2)).status() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new BenchFailure("node " + n.index + " did not answer /healthz within " + START_LIMIT.toSeconds() + " s");
  }

  /** The admin token node 0 wrote (tokens are shared: it works on every daemon). */
  String token() throws IOException {
    return Files.readString(nodes.getFirst().data.resolve("admin.token")).strip();
  }

  private JsonNode api(Node n, String path) {
    try {
      RawHttp.Response r = RawHttp.once(n.address(), "GET", path, Duration.ofSeconds(10), token());
      return r.status() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /** Waits until every running daemon sees {@code n} daemons alive. */
  void awaitMembers(int n) throws InterruptedException {
    await("every daemon sees " + n, () -> nodes.stream().filter(Node::running)
        .allMatch(x -> api(x, "/api/v1/node").path("cluster").path("nodes").size() == n));
  }

  /** Waits until every running daemon knows {@code function}. */
  void awaitKnown(String function) throws InterruptedException {
    await("every daemon knows " + function, () -> nodes.stream().filter(Node::running)
        .allMatch(x -> api(x, "/api/v1/functions/" + function).has("revision")));
  }

  private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new BenchFailure("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  /** Cold starts of {@code function} across the running daemons. */
  long coldStarts(String function) {
    return nodes.stream().filter(Node::running).mapToLong(x -> api(x, "/api/v1/functions/" + function).findPath("coldStarts").asLong()).sum();
  }

  /**
   * The daemon that serves {@code function}'s calls now: the one whose answer to a call of it was
   * not forwarded (a forwarded answer carries {@code X-Pilotlight-Forwarded-By}).
   */
  Node home(String function) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (Node n : nodes) {
        if (!n.running()) {
          continue;
        }
        try {
          RawHttp.Response r = RawHttp.once(n.address(), "GET", "/fn/" + function + "/?name=where", Duration.ofSeconds(30));
          if (r.status() == 200 && r.headers().keySet().stream().noneMatch(h -> h.equalsIgnoreCase("X-Pilotlight-Forwarded-By"))) {
            return n;
          }
        } catch (IOException e) {
          // not answering: not the home
        }
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new BenchFailure("no daemon serves " + function + " itself");
  }

  void kill9(Node n) throws InterruptedException {
    List<ProcessHandle> children = n.process.descendants().toList();
    n.process.destroyForcibly();
    n.process.waitFor(10, TimeUnit.SECONDS);
    children.forEach(ProcessHandle::destroyForcibly);
  }

  void cut(Node n) throws Exception {
    network.cut(n.index);
  }

  void reconnect(Node n) throws Exception {
    network.reconnect(n.index);
  }

  private void sql(String statement) throws Exception {
    URI db = URI.create(database);
    String[] info = db.getUserInfo() == null ? new String[0] : db.getUserInfo().split(":", 2);
    try (var c = DriverManager.getConnection("jdbc:postgresql://" + db.getHost() + ":" + (db.getPort() > 0 ? db.getPort() : 5432)
        + db.getPath(), info.length > 0 ? info[0] : null, info.length > 1 ? info[1] : null); var s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Node n : nodes) {
      if (n.process != null) {
        List<ProcessHandle> children = n.process.descendants().toList();
        n.process.destroy();
        try {
          if (!n.process.waitFor(20, TimeUnit.SECONDS)) {
            n.process.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
      }
    }
    if (network != null) {
      network.close();
    }
    try {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (Exception e) {
      progress.println("could not drop schema " + schema + ": " + e.getMessage());
    }
    FileTrees.deleteTreeQuietly(root);
  }
}
