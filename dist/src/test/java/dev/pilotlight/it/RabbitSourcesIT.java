package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event source mappings against the real RabbitMQ on 127.0.0.1:5672 (guest/guest): messages in →
 * the function gets Lambda's rmqMessagesByQueue event → acknowledged; a failing function → retries →
 * the failure queue or the failures list; pause and resume; bad sources refused with their reason.
 */
class RabbitSourcesIT {
  static final String BROKER = "rabbitmq://guest:guest@127.0.0.1:5672/%2F";

  Connection rabbit;
  Channel ch;
  final String queue = "pl-it-" + UUID.randomUUID().toString().substring(0, 8);
  final String failures = queue + "-failed";

  @BeforeEach
  void connect() throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setHost("127.0.0.1");
    rabbit = f.newConnection("pilotlight-it");
    ch = rabbit.createChannel();
    ch.queueDeclare(queue, false, false, false, null);
    ch.queueDeclare(failures, false, false, false, null);
  }

  @AfterEach
  void cleanUp() throws Exception {
    ch.queueDelete(queue);
    ch.queueDelete(failures);
    rabbit.close();
  }

  void publish(String... bodies) throws Exception {
    for (String b : bodies) {
      ch.basicPublish("", queue, null, b.getBytes(StandardCharsets.UTF_8));
    }
  }

  long depth(String q) throws Exception {
    return ch.queueDeclarePassive(q).getMessageCount();
  }

  static Path failing(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("main.py"), "def handler(event, context):\n    raise RuntimeError('no thanks')\n");
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: main.handler\n");
    return dir;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void messagesReachTheFunctionInBatchesAndAreAcknowledged(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "orders");
      DaemonFixture.CliResult add = d.cli("events", "add", "orders", "--source", BROKER + "?queue=" + queue, "--batch-size", "5",
          "--batch-window", "200ms");
      assertThat(add.exit()).as(add.err()).isZero();
      assertThat(add.out()).contains("guest:****@127.0.0.1").doesNotContain("guest:guest");
      for (int i = 1; i <= 12; i++) {
        publish("order-" + i);
      }
      eventually(Duration.ofSeconds(60), "all 12 messages handled", () -> {
        String logs = d.logs("orders");
        for (int i = 1; i <= 12; i++) {
          if (!logs.contains(b64("order-" + i))) {
            return false;
          }
        }
        return true;
      });
      String logs = d.logs("orders");
      assertThat(logs).contains("\"eventSource\": \"aws:rmq\"").contains("\"rmqMessagesByQueue\": {\"" + queue + "::/\": [");
      eventually(Duration.ofSeconds(10), "the queue drained", () -> {
        try {
          return depth(queue) == 0;
        } catch (Exception e) {
          return false;
        }
      });
      JsonNode listed = DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders", "--json").out()).path("eventSources").get(0);
      assertThat(listed.path("state").asText()).isEqualTo("Enabled");
      assertThat(listed.path("messages").asInt()).isEqualTo(12);
      assertThat(listed.path("batches").asInt()).isBetween(3, 12);
      assertThat(listed.path("source").asText()).doesNotContain("guest:guest");
      eventually(Duration.ofSeconds(15), "the depth asked again while idle: 0", () -> {
        try {
          return DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders", "--json").out()).path("eventSources").get(0).path("queueDepth")
              .asInt(-1) == 0;
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(d.get("/metrics").body()).containsPattern("pilotlight_event_source_messages_total\\{function=\"orders\",uuid=\"[^\"]+\"\\} 12\\.0");

      // paused, messages wait in the queue; resumed, they are read
      String uuid = listed.path("uuid").asText();
      assertThat(d.cli("events", "pause", "orders", uuid).exit()).isZero();
      publish("late-1");
      Thread.sleep(2000);
      assertThat(depth(queue)).isEqualTo(1);
      assertThat(d.cli("events", "resume", "orders", uuid).exit()).isZero();
      eventually(Duration.ofSeconds(30), "the message after the resume", () -> d.logs("orders").contains(b64("late-1")));

      // removing the function stops its poller: the queue is left alone
      assertThat(d.cli("rm", "orders").exit()).isZero();
      Thread.sleep(RECONCILE_MS);
      publish("after-rm");
      Thread.sleep(1500);
      assertThat(depth(queue)).isEqualTo(1);
    }
  }

  static final long RECONCILE_MS = 3000;

  @Test
  void aQueueWithABacklogRunsSeveralBatchesAtOnce(@TempDir Path data, @TempDir Path work) throws Exception {
    Path fn = work.resolve("slow");
    Files.createDirectories(fn);
    Files.writeString(fn.resolve("main.py"), """
        import base64, time

        def handler(event, context):
            ids = [base64.b64decode(m["data"]).decode() for msgs in event["rmqMessagesByQueue"].values() for m in msgs]
            began = time.time()
            print("BEGIN " + context.aws_request_id + " " + " ".join(ids), flush=True)
            time.sleep(1.0)
            print("RAN %.3f %.3f" % (began, time.time()), flush=True)
            return {"n": len(ids)}
        """);
    Files.writeString(fn.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: main.handler\n");
    for (int i = 0; i < 30; i++) {
      publish("slow-" + i);
    }
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(fn.toString(), "--name", "backlog");
      DaemonFixture.CliResult add = d.cli("events", "add", "backlog", "--source", BROKER + "?queue=" + queue, "--batch-size", "5",
          "--batch-window", "0s");
      assertThat(add.exit()).as(add.err()).isZero();
      eventually(Duration.ofSeconds(90), "all 30 messages handled", () -> {
        String logs = d.logs("backlog");
        return java.util.stream.IntStream.range(0, 30).allMatch(i -> logs.contains(" slow-" + i + " ") || logs.contains(" slow-" + i + "\n"));
      });
      eventually(Duration.ofSeconds(30), "every batch that began ended", () -> {
        String logs = d.logs("backlog");
        return logs.lines().filter(l -> l.contains(" RAN ")).count() == logs.lines().filter(l -> l.contains(" BEGIN ")).count();
      });
      // from the handlers' own clocks, not the log's order (two instances' lines reach the log by
      // separate pipes): some batch ran while another was running
      java.util.List<double[]> runs = d.logs("backlog").lines().filter(l -> l.contains(" RAN ")).map(l -> {
        String[] t = l.substring(l.indexOf(" RAN ") + 5).trim().split(" ");
        return new double[] {Double.parseDouble(t[0]), Double.parseDouble(t[1])};
      }).toList();
      assertThat(runs).hasSizeGreaterThanOrEqualTo(6);
      int most = 0;
      for (double[] a : runs) {
        int at = 0;
        for (double[] b : runs) {
          if (b[0] <= a[0] && a[0] < b[1]) {
            at++;
          }
        }
        most = Math.max(most, at);
      }
      assertThat(most).as("batches running at once").isGreaterThan(1);
      eventually(Duration.ofSeconds(10), "the queue drained", () -> {
        try {
          return depth(queue) == 0;
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  /** Runs a boto3 script against the daemon (argv: url, key id, secret, then {@code args}); its last line parsed as JSON. */
  static JsonNode boto3(DaemonFixture d, String script, String... args) throws Exception {
    TestAuth.Key key = d.adminKey();
    List<String> cmd = new ArrayList<>(List.of("python3", "-c", """
        import boto3, json, sys
        c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1',
                         aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
        """ + script, d.url(), key.id(), key.secret()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return DaemonFixture.JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void lambdasEventSourceMappingApiWithBoto3(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "mq-fn");
      JsonNode made = boto3(d, """
          r = c.create_event_source_mapping(FunctionName='mq-fn', EventSourceArn='amqp://127.0.0.1:5672', Queues=[sys.argv[4]],
              SourceAccessConfigurations=[{'Type': 'BASIC_AUTH', 'URI': 'guest:guest'}, {'Type': 'VIRTUAL_HOST', 'URI': '/'}],
              BatchSize=4, MaximumBatchingWindowInSeconds=1)
          r.pop('ResponseMetadata')
          print(json.dumps(r, default=str))
          """, queue);
      String uuid = made.path("UUID").asText();
      assertThat(uuid).isNotEmpty();
      assertThat(made.path("EventSourceArn").asText()).isEqualTo("amqp://127.0.0.1:5672");
      assertThat(made.path("Queues").get(0).asText()).isEqualTo(queue);
      assertThat(made.path("BatchSize").asInt()).isEqualTo(4);
      assertThat(made.toString()).doesNotContain("guest:guest");
      publish("via-lambda-api");
      eventually(Duration.ofSeconds(60), "the message handled", () -> d.logs("mq-fn").contains(b64("via-lambda-api")));

      JsonNode seen = boto3(d, """
          g = c.get_event_source_mapping(UUID=sys.argv[4])
          l = c.list_event_source_mappings(FunctionName='mq-fn')
          u = c.update_event_source_mapping(UUID=sys.argv[4], BatchSize=9, Enabled=False)
          print(json.dumps({'get': g['State'], 'result': g['LastProcessingResult'], 'listed': [m['UUID'] for m in l['EventSourceMappings']],
                            'updated': u['BatchSize'], 'state': u['State'], 'same': u['UUID']}))
          """, uuid);
      assertThat(seen.path("get").asText()).isEqualTo("Enabled");
      assertThat(seen.path("result").asText()).isEqualTo("OK");
      assertThat(seen.path("listed").get(0).asText()).isEqualTo(uuid);
      assertThat(seen.path("updated").asInt()).isEqualTo(9);
      assertThat(seen.path("state").asText()).isEqualTo("Disabled");
      assertThat(seen.path("same").asText()).isEqualTo(uuid);
      assertThat(mappings(d, "mq-fn").get(0).path("state").asText()).isEqualTo("Disabled");

      JsonNode errors = boto3(d, """
          out = {}
          for name, call in [('arn', lambda: c.create_event_source_mapping(FunctionName='mq-fn', Queues=['q'],
                                 EventSourceArn='arn:aws:mq:us-east-1:123456789012:broker:b:b-1')),
                             ('missing', lambda: c.get_event_source_mapping(UUID='00000000-0000-4000-8000-000000000000')),
                             ('nofn', lambda: c.create_event_source_mapping(FunctionName='no-such-fn',
                                 EventSourceArn='amqp://127.0.0.1:5672', Queues=['q']))]:
              try:
                  call()
                  out[name] = 'no error'
              except c.exceptions.ClientError as e:
                  out[name] = e.response['Error']['Code']
          d = c.delete_event_source_mapping(UUID=sys.argv[4])
          out['deleted'] = d['State']
          out['left'] = len(c.list_event_source_mappings(FunctionName='mq-fn')['EventSourceMappings'])
          print(json.dumps(out))
          """, uuid);
      assertThat(errors.path("arn").asText()).isEqualTo("InvalidParameterValueException");
      assertThat(errors.path("missing").asText()).isEqualTo("ResourceNotFoundException");
      assertThat(errors.path("nofn").asText()).isEqualTo("ResourceNotFoundException");
      assertThat(errors.path("deleted").asText()).isEqualTo("Deleting");
      assertThat(errors.path("left").asInt()).isZero();
    }
  }

  static JsonNode mappings(DaemonFixture d, String function) throws Exception {
    return DaemonFixture.JSON.readTree(d.cli("events", "ls", function, "--json").out()).path("eventSources");
  }

  @Test
  void pilotlightYamlDeclaresTheMappingsAndAnUpdateKeepsTheirPlace(@TempDir Path data, @TempDir Path work) throws Exception {
    String source = BROKER + "?queue=" + queue;
    try (DaemonFixture d = new DaemonFixture(data)) {
      // declared: the mapping is made with the manifest's settings and reads the queue
      d.deploy(SchedulesIT.printer(work.resolve("v1"), "events:\n  - source: " + source + "\n    batchSize: 3\n    batchWindow: 100ms\n")
          .toString(), "--name", "declared");
      JsonNode first = mappings(d, "declared");
      assertThat(first.size()).isEqualTo(1);
      String uuid = first.get(0).path("uuid").asText();
      assertThat(first.get(0).path("batchSize").asInt()).isEqualTo(3);
      publish("yaml-1");
      eventually(Duration.ofSeconds(60), "the declared mapping's message handled", () -> d.logs("declared").contains(b64("yaml-1")));

      // declared again with other settings and a filter: the same mapping (its uuid, its place in the queue) takes them
      d.deploy(SchedulesIT.printer(work.resolve("v2"), "events:\n  - source: " + source + "\n    batchSize: 7\n    filters:\n"
          + "      - {data: [{prefix: keep}]}\n").toString(), "--name", "declared");
      JsonNode second = mappings(d, "declared");
      assertThat(second.size()).isEqualTo(1);
      assertThat(second.get(0).path("uuid").asText()).isEqualTo(uuid);
      assertThat(second.get(0).path("batchSize").asInt()).isEqualTo(7);
      assertThat(second.get(0).path("filters").size()).isEqualTo(1);

      // a manifest without the key leaves the mappings alone
      d.deploy(SchedulesIT.printer(work.resolve("v3"), "").toString(), "--name", "declared");
      assertThat(mappings(d, "declared").get(0).path("uuid").asText()).isEqualTo(uuid);

      // update through the CLI: settings change, the uuid stays; the source cannot change through the API
      DaemonFixture.CliResult up = d.cli("events", "update", "declared", uuid, "--batch-size", "2", "--no-filters");
      assertThat(up.exit()).as(up.err()).isZero();
      JsonNode updated = mappings(d, "declared").get(0);
      assertThat(updated.path("uuid").asText()).isEqualTo(uuid);
      assertThat(updated.path("batchSize").asInt()).isEqualTo(2);
      assertThat(updated.path("filters").size()).isZero();
      publish("after-update");
      eventually(Duration.ofSeconds(60), "a message after the update", () -> d.logs("declared").contains(b64("after-update")));
      assertThat(d.cli("events", "update", "declared", uuid).exit()).isEqualTo(64);
      assertThat(d.cli("events", "update", "declared", "no-such-uuid", "--batch-size", "2").exit()).isEqualTo(1);
      assertThat(d.cli("events", "update", "declared", uuid, "--batch-size", "0").err()).contains("batch size 0");

      // an entry whose queue does not exist: the deploy goes through and says what was not applied; an empty list removes the rest
      DaemonFixture.CliResult missing = d.cli("deploy", SchedulesIT.printer(work.resolve("v4"), "events: [\"" + BROKER
          + "?queue=pl-it-no-such-queue\"]\n").toString(), "--name", "declared");
      assertThat(missing.exit()).as(missing.err()).isZero();
      assertThat(missing.out()).contains("pilotlight.yaml: events: entry 1 (rabbitmq://guest:****@").contains("pl-it-no-such-queue")
          .contains("does not exist").doesNotContain("guest:guest");
      assertThat(mappings(d, "declared").size()).isZero();

      // a malformed entry refuses the package, naming it
      DaemonFixture.CliResult bad = d.cli("deploy", SchedulesIT.printer(work.resolve("v5"), "events:\n  - source: " + source
          + "\n    batchSize: many\n").toString(), "--name", "declared");
      assertThat(bad.exit()).isEqualTo(1);
      assertThat(bad.err()).contains("pilotlight.yaml: events: entry 1: batchSize: 'many'");
    }
  }

  @Test
  void aFailingBatchIsRetriedThenGoesToTheFailureQueueOrTheFailuresList(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(failing(work.resolve("fn")).toString(), "--name", "picky");
      DaemonFixture.CliResult add = d.cli("events", "add", "picky", "--source", BROKER + "?queue=" + queue, "--max-retries", "1",
          "--on-failure", failures, "--batch-window", "300ms");
      assertThat(add.exit()).as(add.err()).isZero();
      publish("a", "b");
      eventually(Duration.ofSeconds(60), "both messages in the failure queue", () -> {
        try {
          return depth(failures) == 2;
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(depth(queue)).isZero();
      assertThat(d.logs("picky")).contains("failed (attempt 2 of 2)").contains("no thanks").contains("sent to queue '" + failures + "'");
      String uuid = DaemonFixture.JSON.readTree(d.cli("events", "ls", "picky", "--json").out()).path("eventSources").get(0).path("uuid").asText();
      assertThat(d.cli("events", "rm", "picky", uuid).exit()).isZero();

      // without a failure queue, the batch is kept in the failures list, where redrive can run it again
      assertThat(d.cli("events", "add", "picky", "--source", BROKER + "?queue=" + queue, "--max-retries", "0").exit()).isZero();
      publish("c");
      eventually(Duration.ofSeconds(60), "the batch in the failures list",
          () -> d.get("/api/v1/functions/picky/failures").body().contains(b64("c")));
      assertThat(d.get("/api/v1/functions/picky/failures").body()).contains("no thanks");
    }
  }

  @Test
  void aFilterSendsOnlyTheMessagesItMatchesAndDropsTheRest(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "orders-only");
      DaemonFixture.CliResult bad = d.cli("events", "add", "orders-only", "--source", BROKER + "?queue=" + queue, "--filter", "{\"data\": 1}");
      assertThat(bad.exit()).isNotZero();
      assertThat(bad.err()).contains("filter: data: expected an array");
      DaemonFixture.CliResult add = d.cli("events", "add", "orders-only", "--source", BROKER + "?queue=" + queue, "--batch-window", "300ms",
          "--filter", "{\"data\": {\"kind\": [\"order\"]}}");
      assertThat(add.exit()).as(add.err()).isZero();
      publish("{\"kind\":\"order\",\"n\":1}", "{\"kind\":\"ping\"}", "not json", "{\"kind\":\"order\",\"n\":2}");
      eventually(Duration.ofSeconds(30), "all four settled", () -> {
        try {
          JsonNode m = DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders-only", "--json").out()).path("eventSources").get(0);
          return m.path("messages").asInt() + m.path("filteredMessages").asInt() == 4;
        } catch (Exception e) {
          return false;
        }
      });
      JsonNode m = DaemonFixture.JSON.readTree(d.cli("events", "ls", "orders-only", "--json").out()).path("eventSources").get(0);
      assertThat(m.path("messages").asInt()).isEqualTo(2);
      assertThat(m.path("filteredMessages").asInt()).isEqualTo(2);
      assertThat(m.path("filters").get(0).path("data").path("kind").get(0).asText()).isEqualTo("order");
      String logs = d.logs("orders-only");
      assertThat(logs).contains(b64("{\"kind\":\"order\",\"n\":1}")).contains(b64("{\"kind\":\"order\",\"n\":2}"))
          .doesNotContain(b64("{\"kind\":\"ping\"}")).doesNotContain(b64("not json"));
      assertThat(depth(queue)).isZero();
    }
  }

  @Test
  void badSourcesAreRefusedWithTheirReason(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(SchedulesIT.printer(work.resolve("fn"), "").toString(), "--name", "strict");
      DaemonFixture.CliResult missing = d.cli("events", "add", "strict", "--source", BROKER + "?queue=no-such-queue-" + queue);
      assertThat(missing.exit()).isNotZero();
      assertThat(missing.err()).contains("queue 'no-such-queue-" + queue + "' does not exist");
      DaemonFixture.CliResult password = d.cli("events", "add", "strict", "--source", "rabbitmq://guest:wrong@127.0.0.1:5672/%2F?queue=" + queue);
      assertThat(password.exit()).isNotZero();
      assertThat(password.err()).contains("refused the credentials of user 'guest'").doesNotContain("wrong");
      DaemonFixture.CliResult down = d.cli("events", "add", "strict", "--source", "rabbitmq://guest:guest@127.0.0.1:1/%2F?queue=" + queue);
      assertThat(down.exit()).isNotZero();
      assertThat(down.err()).contains("cannot reach the broker at 127.0.0.1:1");
      DaemonFixture.CliResult other = d.cli("events", "add", "strict", "--source", "sqs://127.0.0.1:4222?queue=t");
      assertThat(other.exit()).isNotZero();
      assertThat(other.err()).contains("not supported");
      DaemonFixture.CliResult size = d.cli("events", "add", "strict", "--source", BROKER + "?queue=" + queue, "--batch-size", "0");
      assertThat(size.exit()).isNotZero();
      assertThat(size.err()).contains("batch size 0");
      assertThat(d.cli("events", "ls", "strict").out()).contains("no event sources for strict");
    }
  }
}
