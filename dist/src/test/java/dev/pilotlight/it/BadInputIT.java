package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.example;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.io.LoopbackPorts;
import dev.pilotlight.server.DaemonConfig;
import dev.pilotlight.store.PackageLimits;
import dev.pilotlight.testing.Zips;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input gets a clear error with the right status and harms nothing deployed. */
class BadInputIT {
  static DaemonFixture d;

  @BeforeAll
  static void start(@TempDir Path data) {
    // Small limits so the size checks are cheap to hit.
    d = new DaemonFixture(DaemonConfig.defaults(data, DaemonFixture.RUNNER).withPort(0)
        .withScalingTick(Duration.ofMillis(100)).withLimits(new PackageLimits(2L << 20, 8L << 20, 1000)));
    d.deploy(example("hello-http"));
  }

  @AfterAll
  static void stop() {
    try {
      // Whatever happened above, the deployed function still works.
      assertThat(d.get("/fn/hello-http/?name=Still").body()).contains("Hello, Still");
      assertThat(d.get("/healthz").statusCode()).isEqualTo(200);
    } finally {
      d.close();
    }
  }

  private static byte[] manifestZip(String manifest) {
    return Zips.ofText("pilotlight.yaml", manifest, "index.html", "hi");
  }

  @Test
  void invalidName() {
    HttpResponse<String> r = d.put("/api/v1/functions/Bad_Name", manifestZip("runtime: http\ncommand: true\n"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("[a-z0-9][a-z0-9-]{0,62}");
    DaemonFixture.CliResult cli = d.cli("deploy", example("hello-http"), "--name", "NO!");
    assertThat(cli.exit()).isNotZero();
    assertThat(cli.err()).contains("name");
  }

  @Test
  void unknownRuntimeListsTheValidOnes() {
    HttpResponse<String> r = d.put("/api/v1/functions/rt", manifestZip("runtime: cobol\ncommand: true\n"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("cobol").contains("java").contains("http");
  }

  @Test
  void missingHandlerOrCommand() {
    HttpResponse<String> noHandler = d.put("/api/v1/functions/nohandler", manifestZip("runtime: java\n"));
    assertThat(noHandler.statusCode()).isEqualTo(400);
    assertThat(noHandler.body()).contains("handler");
    HttpResponse<String> noCommand = d.put("/api/v1/functions/nocommand", manifestZip("runtime: http\n"));
    assertThat(noCommand.statusCode()).isEqualTo(400);
    assertThat(noCommand.body()).contains("command");
    HttpResponse<String> noManifest = d.put("/api/v1/functions/nomanifest", Zips.ofText("a.txt", "x"));
    assertThat(noManifest.statusCode()).isEqualTo(400);
    assertThat(noManifest.body()).contains("pilotlight.yaml");
  }

  @Test
  void malformedManifest() {
    HttpResponse<String> r = d.put("/api/v1/functions/malformed", manifestZip("runtime: [http\n  : :"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("pilotlight.yaml");
    HttpResponse<String> badMemory = d.put("/api/v1/functions/badmem", manifestZip("runtime: http\ncommand: true\nmemory: -5\n"));
    assertThat(badMemory.statusCode()).isEqualTo(400);
    assertThat(badMemory.body()).contains("memory");
  }

  @Test
  void oversizedPackageIs413WithTheLimit() {
    HttpResponse<String> zipped = d.put("/api/v1/functions/huge", Zips.incompressible(3 << 20, 42));
    assertThat(zipped.statusCode()).isEqualTo(413);
    assertThat(zipped.body()).contains("MB");
  }

  @Test
  void hostileZips() {
    HttpResponse<String> slip = d.put("/api/v1/functions/slip", Zips.slip());
    assertThat(slip.statusCode()).isEqualTo(400);
    HttpResponse<String> bomb = d.put("/api/v1/functions/bomb", Zips.bomb(64));
    assertThat(bomb.statusCode()).isIn(400, 413);
    HttpResponse<String> notZip = d.put("/api/v1/functions/notzip", Zips.notAZip());
    assertThat(notZip.statusCode()).isEqualTo(400);
    assertThat(d.get("/api/v1/functions/slip").statusCode()).isEqualTo(404);
  }

  @Test
  void unknownFunctionIs404WithTheName() {
    HttpResponse<String> r = d.get("/fn/nope/");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("nope");
    assertThat(d.post("/api/v1/functions/nope/invoke", "{}").statusCode()).isEqualTo(404);
    DaemonFixture.CliResult cli = d.cli("status", "nope");
    assertThat(cli.exit()).isNotZero();
    assertThat(cli.err()).contains("nope");
  }

  @Test
  void oversizedInvokePayloadIs413() {
    HttpResponse<String> r = d.post("/api/v1/functions/hello-http/invoke", "x".repeat(7 * 1024 * 1024));
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void cliSaysWhenTheDaemonIsDown() throws Exception {
    int closedPort = LoopbackPorts.freePort();
    DaemonFixture.CliResult r = DaemonFixture.cliAt("http://127.0.0.1:" + closedPort, null, "ls");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("cannot reach").contains("bin/pilotlight serve");
  }
}
