package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function whose package holds an external extension ({@code opt/extensions/recorder}, a python
 * script written for this test that registers for INVOKE and SHUTDOWN through the Extensions API
 * and subscribes to the Telemetry API, printing what it receives): the extension runs beside the
 * runtime, sees every invocation's INVOKE, its platform.start and platform.report records and the
 * function's own log line, and gets SHUTDOWN (reason spindown) when the instance is scaled down
 * after its idle timeout.
 */
class ExtensionsIT {
  static final Path FUNCTION = DaemonFixture.ROOT.resolve("dist/src/test/resources/functions/extensions");
  static final int INVOCATIONS = 5;

  @Test
  void anExtensionSeesEveryInvokeItsTelemetryAndTheShutdownAtScaleDown(@TempDir Path data) throws Exception {
    try (DaemonFixture d = new DaemonFixture(data)) {
      d.deploy(FUNCTION.toString());
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < INVOCATIONS; i++) {
        HttpResponse<String> r = d.lambda("POST", "/2015-03-31/functions/extensions/invocations", "{\"n\":" + i + "}", Map.of());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body().replace(" ", "")).contains("\"n\":" + i);
        ids.add(r.headers().firstValue("x-amzn-RequestId").orElseThrow());
      }
      // Output reaches the log through the instance's pipes, so each line is awaited, not assumed.
      try {
        eventually(Duration.ofSeconds(10), "the extension's registration line",
            () -> d.logs("extensions").contains("recorder registered for extensions app.handler"));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; the function's log:\n" + d.logs("extensions") + "\nits status: " + d.status("extensions"), e);
      }
      for (String id : ids) {
        eventually(Duration.ofSeconds(10), "the extension's INVOKE and the function's line for " + id,
            () -> d.logs("extensions").contains("recorder INVOKE " + id) && d.logs("extensions").contains("function line for " + id));
      }
      // The Telemetry API: each invocation's platform.start and platform.report, and the function's own line.
      for (String id : ids) {
        eventually(Duration.ofSeconds(10), "the telemetry records of " + id, () -> {
          String logs = d.logs("extensions");
          return logs.contains("recorder START " + id) && logs.contains("recorder REPORT " + id + " success")
              && logs.contains("recorder FUNCTION-LINE " + id);
        });
      }
      // Its own output comes back as extension records, never as function records.
      eventually(Duration.ofSeconds(10), "the extension's own line as an extension record",
          () -> d.logs("extensions").contains("recorder OWN-LINE as an extension record"));
      assertThat(d.logs("extensions")).doesNotContain("recorder LEAK");
      assertThat(d.status("extensions").path("instances").asInt()).isEqualTo(1);
      eventually(Duration.ofSeconds(60), "the extension's SHUTDOWN at scale-down",
          () -> d.logs("extensions").contains("recorder SHUTDOWN spindown"));
      // It exits on SHUTDOWN: the stop sees it go (and does not wait out the grace for it).
      eventually(Duration.ofSeconds(10), "the extension's exit", () -> d.logs("extensions").contains("EXTENSION recorder exited"));
    }
  }
}
