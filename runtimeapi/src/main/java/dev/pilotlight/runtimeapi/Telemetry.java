package dev.pilotlight.runtimeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The Telemetry API (2022-07-01) of one instance: extensions subscribe an HTTP listener of their
 * own (in the sandbox, on loopback) to {@code platform}, {@code function} and {@code extension}
 * records, which are buffered per subscriber and POSTed to it as JSON arrays of
 * {@code {"time", "type", "record"}} — when {@code maxItems} or {@code maxBytes} are reached, or
 * {@code timeoutMs} after the first buffered record.
 *
 * <p>Platform records from before a subscription ({@code platform.initStart},
 * {@code platform.initRuntimeDone}: extensions subscribe during init) are kept and sent to each new
 * subscriber first. A destination must be served by the instance's own uid (the listener the
 * extension opened): records are never sent to a port another uid holds.
 */
final class Telemetry {
  private static final System.Logger LOG = System.getLogger(Telemetry.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Records kept for a subscriber that does not take them, beyond which the oldest are dropped. */
  static final int MAX_QUEUED = 10_000;
  private static final int MAX_INIT_RECORDS = 16;

  private final IntSupplier owner;
  private final List<Subscriber> subscribers = new ArrayList<>();
  private final List<byte[]> initRecords = new ArrayList<>();
  private boolean closed;

  /** @param owner the uid that must own a destination's listener; -1: any (no sandbox) */
  Telemetry(IntSupplier owner) {
    this.owner = owner;
  }

  /** Whether anyone subscribed to {@code type} records ({@code platform}, {@code function}, {@code extension}). */
  synchronized boolean wants(String type) {
    for (Subscriber s : subscribers) {
      if (s.types.contains(type)) {
        return true;
      }
    }
    return false;
  }

  /** {@code PUT /2022-07-01/telemetry}: subscribes the extension {@code name}'s listener. */
  void subscribe(String name, byte[] body) throws Extensions.Refused {
    JsonNode req;
    try {
      req = JSON.readTree(body);
    } catch (IOException e) {
      throw invalid("the subscription is not JSON: " + e.getMessage());
    }
    if (req == null || !req.isObject()) {
      throw invalid("the subscription is not a JSON object");
    }
    JsonNode dest = req.path("destination");
    if (!"HTTP".equals(dest.path("protocol").asText())) {
      throw invalid("destination.protocol: " + dest.path("protocol") + " (expected: \"HTTP\")");
    }
    InetSocketAddress address = destination(dest.path("URI").asText());
    String path = URI.create(dest.path("URI").asText()).getRawPath();
    Set<String> types = new HashSet<>();
    for (JsonNode t : req.path("types")) {
      String type = t.asText();
      if (!type.equals("platform") && !type.equals("function") && !type.equals("extension")) {
        throw invalid("types: " + t + " (expected: platform, function or extension)");
      }
      types.add(type);
    }
    if (types.isEmpty()) {
      throw invalid("types: expected one or more of platform, function, extension");
    }
    JsonNode b = req.path("buffering");
    int maxItems = bounded(b, "maxItems", 1000, 25, 30_000);
    int maxBytes = bounded(b, "maxBytes", 256 * 1024, 256 * 1024, 1024 * 1024);
    int timeoutMs = bounded(b, "timeoutMs", 1000, 25, 30_000);
    Subscriber s = new Subscriber(name, address, path == null || path.isEmpty() ? "/" : path, types, maxItems, maxBytes, timeoutMs);
    synchronized (this) {
      if (closed) {
        throw new Extensions.Refused(410, "Runtime.Gone", "the instance is closed");
      }
      subscribers.removeIf(old -> {
        if (old.name.equals(name)) {
          old.close();
          return true;
        }
        return false;
      });
      subscribers.add(s);
      if (types.contains("platform")) {
        initRecords.forEach(s::offer);
      }
    }
    Thread.ofVirtual().name("telemetry-" + name).start(s::run);
  }

  private static InetSocketAddress destination(String uri) throws Extensions.Refused {
    URI u;
    try {
      u = new URI(uri);
    } catch (Exception e) {
      throw invalid("destination.URI: " + uri + " is not a URI");
    }
    String host = u.getHost();
    // AWS names the sandbox sandbox.localdomain; here the sandbox shares the host's loopback.
    boolean loopback = host != null && (host.equals("sandbox.localdomain") || host.equals("sandbox") || host.equals("localhost")
        || host.equals("127.0.0.1"));
    if (!"http".equals(u.getScheme()) || !loopback || u.getPort() < 1) {
      throw invalid("destination.URI: " + uri + " (expected: http://sandbox.localdomain:<port>/…, a listener in the instance's sandbox)");
    }
    return new InetSocketAddress("127.0.0.1", u.getPort());
  }

  private static int bounded(JsonNode buffering, String key, int dflt, int min, int max) throws Extensions.Refused {
    JsonNode v = buffering.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw invalid("buffering." + key + ": " + v + " (expected: " + min + " to " + max + ")");
    }
    return v.asInt();
  }

  private static Extensions.Refused invalid(String message) {
    return new Extensions.Refused(400, "ValidationError", message);
  }

  /** A platform record ({@code platform.start}…); the init ones are kept for later subscribers. */
  void platform(String type, ObjectNode record) {
    byte[] item = item(type, record);
    synchronized (this) {
      if (type.startsWith("platform.init") && initRecords.size() < MAX_INIT_RECORDS) {
        initRecords.add(item);
      }
      offer("platform", item);
    }
  }

  /** A line the function ({@code type} {@code function}) or an extension ({@code extension}) wrote. */
  void line(String type, String line) {
    synchronized (this) {
      if (subscribers.isEmpty()) {
        return;
      }
    }
    byte[] item = JSON.createObjectNode().put("time", Instant.now().toString()).put("type", type).put("record", line).toString()
        .getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      offer(type, item);
    }
  }

  private void offer(String type, byte[] item) {
    for (Subscriber s : subscribers) {
      if (s.types.contains(type)) {
        s.offer(item);
      }
    }
  }

  private static byte[] item(String type, ObjectNode record) {
    ObjectNode o = JSON.createObjectNode().put("time", Instant.now().toString()).put("type", type);
    o.set("record", record);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  void close() {
    synchronized (this) {
      closed = true;
      subscribers.forEach(Subscriber::close);
      subscribers.clear();
    }
  }

  /** One subscriber's buffer and the virtual thread that sends it. */
  private final class Subscriber {
    final String name;
    final InetSocketAddress address;
    final String path;
    final Set<String> types;
    final int maxItems;
    final int maxBytes;
    final int timeoutMs;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long firstQueuedNanos;
    private boolean stopped;

    Subscriber(String name, InetSocketAddress address, String path, Set<String> types, int maxItems, int maxBytes, int timeoutMs) {
      this.name = name;
      this.address = address;
      this.path = path;
      this.types = types;
      this.maxItems = maxItems;
      this.maxBytes = maxBytes;
      this.timeoutMs = timeoutMs;
    }

    synchronized void offer(byte[] item) {
      if (queue.isEmpty()) {
        firstQueuedNanos = System.nanoTime();
      }
      queue.addLast(item);
      queuedBytes += item.length;
      while (queue.size() > MAX_QUEUED) {
        queuedBytes -= queue.pollFirst().length;
      }
      notifyAll();
    }

    synchronized void close() {
      stopped = true;
      notifyAll();
    }

    /** Waits for a batch (full, or timeoutMs after its first record) and sends it; until closed. */
    void run() {
      while (true) {
        List<byte[]> batch = new ArrayList<>();
        synchronized (this) {
          try {
            while (!stopped) {
              long waited = queue.isEmpty() ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstQueuedNanos);
              if (!queue.isEmpty() && (queue.size() >= maxItems || queuedBytes >= maxBytes || waited >= timeoutMs)) {
                break;
              }
              wait(queue.isEmpty() ? 0 : Math.max(1, timeoutMs - waited));
            }
          } catch (InterruptedException e) {
            return;
          }
          if (stopped) {
            return;
          }
          int bytes = 2;
          while (!queue.isEmpty() && batch.size() < maxItems && (batch.isEmpty() || bytes + queue.peekFirst().length + 1 <= maxBytes)) {
            byte[] item = queue.pollFirst();
            queuedBytes -= item.length;
            bytes += item.length + 1;
            batch.add(item);
          }
          if (!queue.isEmpty()) {
            firstQueuedNanos = System.nanoTime();
          }
        }
        send(batch);
      }
    }

    private void send(List<byte[]> batch) {
      int size = 1;
      for (byte[] b : batch) {
        size += b.length + 1;
      }
      byte[] body = new byte[size];
      int at = 0;
      body[at++] = '[';
      for (int i = 0; i < batch.size(); i++) {
        if (i > 0) {
          body[at++] = ',';
        }
        System.arraycopy(batch.get(i), 0, body, at, batch.get(i).length);
        at += batch.get(i).length;
      }
      body[at++] = ']';
      try (Socket socket = new Socket()) {
        socket.connect(address, timeoutMs + 1000);
        socket.setSoTimeout(5_000);
        int required = owner.getAsInt();
        if (required >= 0) {
          int uid = SocketOwner.ofServerEnd(address, (InetSocketAddress) socket.getLocalSocketAddress());
          if (uid != required) {
            LOG.log(System.Logger.Level.WARNING, "telemetry for " + name + " not sent: port " + address.getPort() + " is held by uid "
                + uid + ", not the instance's " + required);
            return;
          }
        }
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: sandbox.localdomain:" + address.getPort()
            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + at + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, at);
        out.flush();
        InputStream in = socket.getInputStream();
        in.read(new byte[512]); // the status line: the subscriber has taken the batch
      } catch (IOException e) {
        LOG.log(System.Logger.Level.DEBUG, "telemetry for " + name + " not delivered: " + e.getMessage());
      }
    }
  }
}
