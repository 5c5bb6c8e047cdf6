package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules for real: a seconds-level {@code rate} invokes a function through the durable queue, from
 * the CLI and from pilotlight.yaml; each due time once, across a restart; removal stops it; bad
 * expressions are refused with their reason. The rules for missed due times are tested on a manual
 * clock (SchedulerTest).
 */
class SchedulesIT {
  private static final Pattern DUE = Pattern.compile("SCHEDULE (\\S+) \\(.*?\\): due ([^,\\s]+), queued");

  /** A python function that prints each event it gets on one line. */
  static Path printer(Path dir, String manifestExtra) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("main.py"), """
        import json

        def handler(event, context):
            print("EVENT " + json.dumps(event, sort_keys=True))
            return {"ok": True}
        """);
    Files.writeString(dir.resolve("pilotlight.yaml"), "runtime: python3.12\nhandler: main.handler\n" + manifestExtra);
    return dir;
  }

  static List<String> dueTimes(String logs, String id) {
    List<String> out = new ArrayList<>();
    Matcher m = DUE.matcher(logs);
    while (m.find()) {
      if (m.group(1).equals(id)) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void aScheduleFromTheCliInvokesTheFunctionWithItsPayloadUntilItIsRemoved(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(printer(work.resolve("fn"), "").toString(), "--name", "ticker");
      DaemonFixture.CliResult add = d.cli("schedule", "add", "ticker", "rate(1 second)", "--payload", "{\"job\":\"sweep\"}", "--id", "sweep");
      assertThat(add.exit()).as(add.err()).isZero();
      assertThat(add.out()).contains("added schedule sweep to ticker: rate(1 second) (UTC)");

      eventually(Duration.ofSeconds(30), "three ticks run", () -> count(d.logs("ticker"), "EVENT {\"job\": \"sweep\"}") >= 3);
      DaemonFixture.CliResult ls = d.cli("schedule", "ls", "ticker", "--json");
      JsonNode s = DaemonFixture.JSON.readTree(ls.out()).path("schedules").get(0);
      assertThat(s.path("id").asText()).isEqualTo("sweep");
      assertThat(s.path("payload").path("job").asText()).isEqualTo("sweep");
      assertThat(s.path("nextDue").asText()).isNotEmpty();

      DaemonFixture.CliResult rm = d.cli("schedule", "rm", "ticker", "sweep");
      assertThat(rm.exit()).as(rm.err()).isZero();
      int queued = dueTimes(d.logs("ticker"), "sweep").size();
      assertThat(queued).isGreaterThanOrEqualTo(3);
      Thread.sleep(2500);
      assertThat(dueTimes(d.logs("ticker"), "sweep")).as("no tick after removal").hasSize(queued);
      assertThat(d.cli("schedule", "ls", "ticker").out()).contains("no schedules for ticker");
    }
  }

  @Test
  void badSchedulesAreRefusedWithTheirReason(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(printer(work.resolve("fn"), "").toString(), "--name", "strict");
      DaemonFixture.CliResult week = d.cli("schedule", "add", "strict", "cron(0 9 * * MON-FRI *)");
      assertThat(week.exit()).isNotZero();
      assertThat(week.err()).contains("?");
      DaemonFixture.CliResult zone = d.cli("schedule", "add", "strict", "rate(5 minutes)", "--tz", "Mars/Olympus");
      assertThat(zone.exit()).isNotZero();
      assertThat(zone.err()).contains("Mars/Olympus");
      DaemonFixture.CliResult none = d.cli("schedule", "add", "nobody", "rate(5 minutes)");
      assertThat(none.exit()).isNotZero();
      assertThat(d.cli("schedule", "add", "strict", "rate(5 minutes)", "--id", "x").exit()).isZero();
      DaemonFixture.CliResult twice = d.cli("schedule", "add", "strict", "rate(10 minutes)", "--id", "x");
      assertThat(twice.exit()).isNotZero();
      assertThat(twice.err()).contains("already has a schedule 'x'");

      // a package whose manifest has a bad schedule is refused whole
      DaemonFixture.CliResult bad = d.cli("deploy", printer(work.resolve("bad"), "schedule:\n  - cron(61 * * * ? *)\n").toString(),
          "--name", "strict");
      assertThat(bad.exit()).isNotZero();
      assertThat(bad.err()).contains("pilotlight.yaml: schedule: entry 1:");
      assertThat(d.cli("schedule", "ls", "strict").out()).contains("rate(5 minutes)");
    }
  }

  @Test
  void aManifestScheduleSendsScheduledEventsOncePerDueTimeAcrossARestart(@TempDir Path data, @TempDir Path work) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      Path fn = printer(work.resolve("fn"), "schedule:\n  - expression: rate(1 second)\n    id: tick\n");
      d.deploy(fn.toString(), "--name", "cron-job");
      eventually(Duration.ofSeconds(30), "two scheduled events", () -> count(d.logs("cron-job"), "\"detail-type\": \"Scheduled Event\"") >= 2);
      assertThat(d.logs("cron-job")).contains("\"source\": \"aws.events\"")
          .contains("arn:aws:events:us-east-1:000000000000:rule/cron-job-tick");
      // a redeploy that declares the same schedule keeps it going; the restart picks it up from the store
      d.deploy(fn.toString(), "--name", "cron-job");
      d.restart();
      int before = dueTimes(d.logs("cron-job"), "tick").size();
      eventually(Duration.ofSeconds(30), "ticks after the restart", () -> dueTimes(d.logs("cron-job"), "tick").size() >= before + 2);
      List<String> due = dueTimes(d.logs("cron-job"), "tick");
      assertThat(new HashSet<>(due)).as("each due time once: %s", due).hasSize(due.size());

      // a manifest with an empty list removes the function's schedules
      d.deploy(printer(work.resolve("none"), "schedule: []\n").toString(), "--name", "cron-job");
      assertThat(d.cli("schedule", "ls", "cron-job").out()).contains("no schedules for cron-job");
    }
  }
}
