package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event source mapping through the failures it must survive, against the machine's RabbitMQ:
 * 10,000 messages on a durable queue, a {@code kill -9} of the daemon a third of the way through and
 * a restart of the broker (its app stopped and started with rabbitmqctl) two thirds of the way: every
 * message reaches the function, and duplicates stay within the batches in flight at the two failures.
 * The function reports each batch's messages to a collector in this test (its log could lose its last
 * lines in the kill), which counts them.
 */
class SourceChaosIT {
  static final int MESSAGES = 10_000;
  static final int BATCH = 100;

  @Test
  void noMessageIsLostThroughAKillMinus9AndABrokerRestart(@TempDir Path data, @TempDir Path work) throws Exception {
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    AtomicInteger deliveries = new AtomicInteger();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      for (String id : body.split("\n")) {
        if (!id.isBlank()) {
          seen.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          deliveries.incrementAndGet();
        }
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    collector.start();
    String queue = "pl-chaos-" + UUID.randomUUID().toString().substring(0, 8);
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    try {
      try (Connection c = f.newConnection("pilotlight-chaos-it"); Channel ch = c.createChannel()) {
        ch.queueDeclare(queue, true, false, false, null);
        ch.confirmSelect();
        AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
        for (int i = 0; i < MESSAGES; i++) {
          ch.basicPublish("", queue, persistent, ("m-" + i).getBytes(StandardCharsets.UTF_8));
        }
        ch.waitForConfirmsOrDie(60_000);
      }
      Path fn = work.resolve("fn");
      Files.createDirectories(fn);
      Files.writeString(fn.resolve("main.py"), """
          import base64, os, urllib.request

          def handler(event, context):
              ids = [base64.b64decode(m["data"]).decode() for msgs in event["rmqMessagesByQueue"].values() for m in msgs]
              urllib.request.urlopen(urllib.request.Request(os.environ["COLLECTOR"], data="\\n".join(ids).encode(), method="POST"),
                                     timeout=10).read()
              return {"n": len(ids)}
          """);
      Files.writeString(fn.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: main.handler\n");

      AsyncInvokeIT.DaemonProcess first = AsyncInvokeIT.DaemonProcess.start(data);
      try {
        DaemonFixture.CliResult deploy = DaemonFixture.cliAt(first.url, data, "deploy", fn.toString(), "--name", "chaos", "--env",
            "COLLECTOR=http://127.0.0.1:" + collector.getAddress().getPort() + "/");
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        DaemonFixture.CliResult add = DaemonFixture.cliAt(first.url, data, "events", "add", "chaos", "--source",
            RabbitSourcesIT.BROKER + "?queue=" + queue, "--batch-size", Integer.toString(BATCH), "--batch-window", "100ms");
        assertThat(add.exit()).as(add.err()).isZero();
        eventually(Duration.ofSeconds(120), "a third of the messages handled", () -> seen.size() >= MESSAGES / 3);
      } finally {
        first.kill9();
      }
      int atKill = seen.size();

      AsyncInvokeIT.DaemonProcess second = AsyncInvokeIT.DaemonProcess.start(data);
      try {
        eventually(Duration.ofSeconds(120), "two thirds handled after the restart", () -> seen.size() >= 2 * MESSAGES / 3);
        int atBrokerRestart = seen.size();
        try {
          rabbitmqctl("stop_app");
        } finally {
          rabbitmqctl("start_app"); // whatever happened, the machine's broker serves again for the tests after this one
        }
        eventually(Duration.ofSeconds(180), "every message handled", () -> seen.size() == MESSAGES);
        Thread.sleep(1000); // a late duplicate would arrive now
        int duplicates = deliveries.get() - MESSAGES;
        System.out.printf("SourceChaosIT: %d messages, %d deliveries, %d duplicates (handled %d at the kill -9, %d at the broker restart)%n",
            MESSAGES, deliveries.get(), duplicates, atKill, atBrokerRestart);
        // at each failure at most the batches running (up to RabbitPoller's 5) and the one prefetched come again, twice
        assertThat(duplicates).as("duplicates beyond the batches in flight").isBetween(0, 2 * 6 * BATCH);
        assertThat(seen.keySet()).hasSize(MESSAGES);
      } finally {
        second.stop();
      }
    } finally {
      collector.stop(0);
      try (Connection c = f.newConnection("pilotlight-chaos-it"); Channel ch = c.createChannel()) {
        ch.queueDelete(queue);
      }
    }
  }

  /** rabbitmqctl (Debian's, as root) on the machine's broker; start_app waits until it serves again. */
  static void rabbitmqctl(String command) throws Exception {
    Process p = new ProcessBuilder(List.of("rabbitmqctl", "-q", command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("rabbitmqctl %s: %s", command, out).isZero();
  }
}
