package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code events add|ls|rm|pause|resume}: a function's event source mappings (see docs/events.md). */
final class EventSourceCommands {
  private EventSourceCommands() {}

  static String path(String name) {
    return DaemonClient.functionPath(name) + "/event-sources";
  }

  /** The batching settings given (add and update send the same keys). */
  static void batching(ObjectNode body, Integer batchSize, String batchWindow, Integer maxRetries) {
    if (batchSize != null) {
      body.put("batchSize", batchSize);
    }
    if (batchWindow != null) {
      body.put("batchWindow", batchWindow);
    }
    if (maxRetries != null) {
      body.put("maxRetries", maxRetries);
    }
  }

  /** The {@code events} group itself: prints its usage. */
  @Command(name = "events", description = "Invoke a function with batches from a broker (a RabbitMQ queue, an MQTT topic filter, a Kafka topic, a NATS "
      + "JetStream stream), "
      + "as Lambda's event source mappings.",
      synopsisSubcommandLabel = "COMMAND")
  static final class Group extends GroupCommand {
    Group(CliContext ctx) {
      super(ctx);
    }
  }

  @Command(name = "add", description = "Map a queue or topic to a function: its messages reach it in batches (Lambda's event for the broker) "
      + "and are acknowledged (Kafka: their offsets committed) once it succeeded. The broker and the queue or topic are checked first.")
  static final class Add extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Option(names = "--source", required = true, paramLabel = "URI",
        description = "rabbitmq://USER:PASSWORD@HOST:5672/VHOST?queue=NAME (VHOST %%2F is /; amqps:// for TLS), or "
            + "mqtt://[USER:PASSWORD@]HOST:1883?topic=FILTER[&qos=0|1] (mqtts:// for TLS), or "
            + "kafka://[USER:PASSWORD@]HOST:9092[,HOST:9092]?topic=NAME[&group=ID][&start=latest|trim_horizon] (kafkas:// for TLS; "
            + "group: the mapping's uuid by default; start: latest by default), or "
            + "nats://[USER:PASSWORD@]HOST:4222?stream=NAME[&subject=FILTER][&consumer=DURABLE][&start=all|new] (tls:// for TLS; the stream "
            + "must exist; the consumer, pilotlight-UUID by default, is made if missing).")
    String source;

    @Option(names = "--batch-size", paramLabel = "N", description = "Messages per invocation, at most (default 100, at most 10000).")
    Integer batchSize;

    @Option(names = "--batch-window", paramLabel = "DURATION", description = "How long a batch may wait to fill (default 500ms, at most 5m).")
    String batchWindow;

    @Option(names = "--max-retries", paramLabel = "N", description = "Retries of a failed batch before it is given up on (default 2).")
    Integer maxRetries;

    @Option(names = "--filter", paramLabel = "PATTERN",
        description = "Lambda's filter pattern (JSON), e.g. '{\"data\": {\"kind\": [\"order\"]}}'; repeatable (at most 5): a message is sent "
            + "when one matches, the others are acknowledged and dropped.")
    java.util.List<String> filters;

    @Option(names = "--on-failure", paramLabel = "QUEUE",
        description = "A queue on the same broker for messages given up on (RabbitMQ only; default: the function's failures list).")
    String onFailure;

    Add(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      ObjectNode body = Json.object();
      body.put("source", source);
      batching(body, batchSize, batchWindow, maxRetries);
      if (onFailure != null) {
        body.put("onFailure", onFailure);
      }
      if (filters != null) {
        var list = body.putArray("filters");
        filters.forEach(list::add);
      }
      JsonNode added = Json.parse(client().send("POST", path(name), DaemonClient.Body.of(Json.compact(body).getBytes(StandardCharsets.UTF_8),
          "application/json"), DaemonClient.READ_TIMEOUT_MS).body());
      ctx.out().println("mapped " + Json.text(added, "source") + " to " + name + " as " + Json.text(added, "uuid") + " (batches of up to "
          + Json.text(added, "batchSize") + ", window " + Json.text(added, "batchWindow") + ")");
      return 0;
    }
  }

  @Command(name = "ls", description = "List a function's event source mappings with their state and counts.")
  static final class Ls extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Option(names = "--json", description = "Print the daemon's JSON.")
    boolean json;

    Ls(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      JsonNode answer = client().getJson(path(name));
      JsonNode sources = answer.path("eventSources");
      if (json) {
        ctx.out().print(Json.pretty(answer) + "\n");
      } else if (sources.isEmpty()) {
        ctx.out().println("no event sources for " + name);
      } else {
        Table table = new Table().left("UUID").left("SOURCE").left("STATE").right("QUEUED").right("BATCHES").right("MESSAGES").right("FAILED")
            .left("LAST ERROR");
        for (JsonNode s : sources) {
          table.row(Json.text(s, "uuid"), Json.text(s, "source"), Json.text(s, "state"),
              s.path("queueDepth").isNull() ? "?" : Json.text(s, "queueDepth"), Json.text(s, "batches"), Json.text(s, "messages"),
              Json.text(s, "failedMessages"), s.path("lastError").isNull() ? "" : Json.text(s, "lastError"));
        }
        ctx.out().print(table.render());
      }
      return 0;
    }
  }

  /** {@code rm}, {@code pause} and {@code resume}: one mapping by its uuid. */
  abstract static class One extends DaemonCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Function name.")
    String name;

    @Parameters(index = "1", paramLabel = "UUID", description = "The mapping's uuid (as ls shows).")
    String uuid;

    One(CliContext ctx) {
      super(ctx);
    }

    String one() {
      return path(name) + "/" + URLEncoder.encode(uuid, StandardCharsets.UTF_8);
    }
  }

  @Command(name = "rm", description = "Remove an event source mapping (a batch not acknowledged yet is delivered again to whoever reads the queue).")
  static final class Rm extends One {
    Rm(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      client().send("DELETE", one(), null, DaemonClient.READ_TIMEOUT_MS);
      ctx.out().println("removed event source " + uuid + " of " + name);
      return 0;
    }
  }

  @Command(name = "pause", description = "Stop reading the queue (its messages wait there) until resume.")
  static final class Pause extends One {
    Pause(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      client().send("POST", one() + "/pause", DaemonClient.Body.of(new byte[0], "application/json"), DaemonClient.READ_TIMEOUT_MS);
      ctx.out().println("paused event source " + uuid + " of " + name);
      return 0;
    }
  }

  @Command(name = "resume", description = "Read the queue again.")
  static final class Resume extends One {
    Resume(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      client().send("POST", one() + "/resume", DaemonClient.Body.of(new byte[0], "application/json"), DaemonClient.READ_TIMEOUT_MS);
      ctx.out().println("resumed event source " + uuid + " of " + name);
      return 0;
    }
  }

  @Command(name = "update", description = "Change a mapping's batch size, window, retries or filters; it keeps its source and its place in the "
      + "queue (the source and the failure queue cannot change: rm and add again).")
  static final class Update extends One {
    @Option(names = "--batch-size", paramLabel = "N", description = "Messages per invocation, at most (1 to 10000).")
    Integer batchSize;

    @Option(names = "--batch-window", paramLabel = "DURATION", description = "How long a batch may wait to fill (0s to 5m).")
    String batchWindow;

    @Option(names = "--max-retries", paramLabel = "N", description = "Retries of a failed batch before it is given up on (0 to 100).")
    Integer maxRetries;

    @Option(names = "--filter", paramLabel = "PATTERN", description = "Lambda's filter pattern (JSON), replacing the mapping's filters; "
        + "repeatable (at most 5).")
    java.util.List<String> filters;

    @Option(names = "--no-filters", description = "Drop the mapping's filters: every message is sent.")
    boolean noFilters;

    Update(CliContext ctx) {
      super(ctx);
    }

    @Override
    public Integer call() {
      if (filters != null && noFilters) {
        throw new CliFailure.Usage("--filter and --no-filters contradict each other");
      }
      ObjectNode body = Json.object();
      batching(body, batchSize, batchWindow, maxRetries);
      if (filters != null || noFilters) {
        var list = body.putArray("filters");
        if (filters != null) {
          filters.forEach(list::add);
        }
      }
      if (body.isEmpty()) {
        throw new CliFailure.Usage("nothing to change (give --batch-size, --batch-window, --max-retries, --filter or --no-filters)");
      }
      JsonNode updated = Json.parse(client().send("PUT", one(), DaemonClient.Body.of(Json.compact(body).getBytes(StandardCharsets.UTF_8),
          "application/json"), DaemonClient.READ_TIMEOUT_MS).body());
      ctx.out().println("updated event source " + uuid + " of " + name + " (batches of up to " + Json.text(updated, "batchSize") + ", window "
          + Json.text(updated, "batchWindow") + ", " + Json.text(updated, "maxRetries") + " retries, " + updated.path("filters").size()
          + " filter(s))");
      return 0;
    }
  }
}
