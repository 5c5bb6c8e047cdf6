package dev.pilotlight.it;

import static dev.pilotlight.it.DaemonFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.testing.Zips;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases on a real daemon: versions and a weighted alias through AWS's own CLI v2, and the native
 * traffic split, tags and rollback through Pilotlight's CLI; each call's revision is read from the
 * answer's {@code X-Pilotlight-Revision}.
 */
class ReleasesIT {
  static DaemonFixture d;
  static Path work;

  @BeforeAll
  static void start(@TempDir Path data, @TempDir Path dir) {
    AwsCliIT.start(data, dir); // the same daemon and access key AwsCliIT's aws() uses
    d = AwsCliIT.d;
    work = dir;
  }

  @AfterAll
  static void stop() {
    AwsCliIT.stop();
  }

  static Path zip(String name, String version) throws Exception {
    String app = """
        import json

        VERSION = "%s"


        def handler(event, context):
            print("handled " + VERSION + " " + json.dumps(event, sort_keys=True))
            return {"version": VERSION, "functionVersion": context.function_version}
        """.formatted(version);
    Path zip = work.resolve(name);
    Files.write(zip, Zips.ofText("app.py", app));
    return zip;
  }

  /** Calls {@code path} on the daemon {@code n} times; how many answers each revision gave. */
  static Map<Long, Integer> revisionsOf(String path, int n) {
    Map<Long, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = d.send(HttpRequest.newBuilder(URI.create(d.url() + path)).timeout(Duration.ofSeconds(30)).build());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      long revision = Long.parseLong(r.headers().firstValue("X-Pilotlight-Revision").orElseThrow());
      counts.merge(revision, 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void theAwsCliPublishesVersionsAndInvokesThroughAWeightedAlias() throws Exception {
    AwsCliIT.Result created = AwsCliIT.aws("create-function", "--function-name", "rel", "--runtime", "python3.12", "--handler",
        "app.handler", "--role", "arn:aws:iam::000000000000:role/any", "--zip-file", "fileb://" + zip("v1.zip", "v1"));
    assertThat(created.exit()).as(created.err()).isZero();
    AwsCliIT.Result published = AwsCliIT.aws("publish-version", "--function-name", "rel");
    assertThat(published.exit()).as(published.err()).isZero();
    assertThat(published.json().path("Version").asText()).isEqualTo("1");
    assertThat(published.json().path("FunctionArn").asText()).endsWith(":function:rel:1");
    assertThat(AwsCliIT.aws("update-function-code", "--function-name", "rel", "--zip-file", "fileb://" + zip("v2.zip", "v2")).exit()).isZero();
    assertThat(AwsCliIT.aws("publish-version", "--function-name", "rel").json().path("Version").asText()).isEqualTo("2");
    assertThat(AwsCliIT.aws("update-function-code", "--function-name", "rel", "--zip-file", "fileb://" + zip("v3.zip", "v3")).exit()).isZero();
    assertThat(AwsCliIT.aws("list-versions-by-function", "--function-name", "rel").json().path("Versions").findValuesAsText("Version"))
        .as("$LATEST and the published versions").containsExactly("$LATEST", "1", "2");

    // a version by number: it runs, and says so
    AwsCliIT.Result one = AwsCliIT.aws("invoke", "--function-name", "rel", "--qualifier", "1", "one.json");
    assertThat(one.exit()).as(one.err()).isZero();
    assertThat(one.json().path("ExecutedVersion").asText()).isEqualTo("1");
    assertThat(Files.readString(work.resolve("one.json"))).contains("\"v1\"").contains("\"functionVersion\": \"1\"");
    AwsCliIT.Result latest = AwsCliIT.aws("invoke", "--function-name", "rel", "latest.json");
    assertThat(latest.json().path("ExecutedVersion").asText()).isEqualTo("$LATEST");
    assertThat(Files.readString(work.resolve("latest.json"))).contains("\"v3\"").contains("\"functionVersion\": \"$LATEST\"");

    // an alias at version 1 sending 10 % to version 2
    AwsCliIT.Result alias = AwsCliIT.aws("create-alias", "--function-name", "rel", "--name", "live", "--function-version", "1",
        "--routing-config", "AdditionalVersionWeights={2=0.1}");
    assertThat(alias.exit()).as(alias.err()).isZero();
    assertThat(alias.json().path("AliasArn").asText()).endsWith(":function:rel:live");
    assertThat(alias.json().path("RoutingConfig").path("AdditionalVersionWeights").path("2").asDouble()).isEqualTo(0.1);
    assertThat(AwsCliIT.aws("get-function", "--function-name", "rel", "--qualifier", "live").json().path("Configuration")
        .path("Version").asText()).isEqualTo("1");
    AwsCliIT.Result viaAlias = AwsCliIT.aws("invoke", "--function-name", "rel:live", "live.json");
    assertThat(viaAlias.exit()).as(viaAlias.err()).isZero();
    assertThat(viaAlias.json().path("ExecutedVersion").asText()).isIn("1", "2");
    Map<Long, Integer> split = revisionsOf("/fn/rel@live/", 1000);
    assertThat(split.keySet()).containsExactly(1L, 2L);
    // each call draws its version: 1,000 draws at 10 % give 100 ± 9.5 (one standard deviation); ±5 of them
    // (53 to 147) fails a correct split about once in 1.7 million runs, and still catches a wrong weight (0 %, 20 %, 50 %)
    assertThat(split.get(2L)).as("version 2's share of 1,000 calls, " + split).isBetween(53, 147);

    // an event through the alias keeps its qualifier
    AwsCliIT.Result event = AwsCliIT.aws("invoke", "--function-name", "rel", "--qualifier", "1", "--invocation-type", "Event",
        "--cli-binary-format", "raw-in-base64-out", "--payload", "{\"marker\":\"evt-v1\"}", "event.json");
    assertThat(event.exit()).as(event.err()).isZero();
    eventually(Duration.ofSeconds(30), "the Event ran version 1", () -> d.logs("rel").contains("handled v1 {\"marker\": \"evt-v1\"}"));

    // what Lambda refuses is refused
    AwsCliIT.Result latestWeighted = AwsCliIT.aws("create-alias", "--function-name", "rel", "--name", "bad", "--function-version",
        "$LATEST", "--routing-config", "AdditionalVersionWeights={2=0.5}");
    assertThat(latestWeighted.exit()).isNotZero();
    assertThat(latestWeighted.err()).contains("InvalidParameterValueException").contains("$LATEST");
    AwsCliIT.Result again = AwsCliIT.aws("create-alias", "--function-name", "rel", "--name", "live", "--function-version", "2");
    assertThat(again.err()).contains("ResourceConflictException");
    AwsCliIT.Result unknown = AwsCliIT.aws("create-alias", "--function-name", "rel", "--name", "x", "--function-version", "9");
    assertThat(unknown.err()).contains("ResourceNotFoundException");
    AwsCliIT.Result inUse = AwsCliIT.aws("delete-function", "--function-name", "rel", "--qualifier", "2");
    assertThat(inUse.exit()).isNotZero();
    assertThat(inUse.err()).contains("ResourceConflictException").contains("alias 'live'");

    // the weight taken away, then the alias, then the version
    AwsCliIT.Result updated = AwsCliIT.aws("update-alias", "--function-name", "rel", "--name", "live", "--routing-config",
        "AdditionalVersionWeights={}");
    assertThat(updated.exit()).as(updated.err()).isZero();
    assertThat(updated.json().has("RoutingConfig")).isFalse();
    assertThat(revisionsOf("/fn/rel@live/", 50)).containsOnlyKeys(1L);
    assertThat(AwsCliIT.aws("list-aliases", "--function-name", "rel").json().path("Aliases").findValuesAsText("Name")).containsExactly("live");
    assertThat(AwsCliIT.aws("delete-alias", "--function-name", "rel", "--name", "live").exit()).isZero();
    assertThat(AwsCliIT.aws("list-aliases", "--function-name", "rel").json().path("Aliases")).isEmpty();
    assertThat(AwsCliIT.aws("delete-function", "--function-name", "rel", "--qualifier", "1").exit()).isZero();
    assertThat(AwsCliIT.aws("list-versions-by-function", "--function-name", "rel").json().path("Versions").findValuesAsText("Version"))
        .containsExactly("$LATEST", "2");
    AwsCliIT.Result gone = AwsCliIT.aws("invoke", "--function-name", "rel", "--qualifier", "1", "gone.json");
    assertThat(gone.err()).contains("ResourceNotFoundException");
    assertThat(AwsCliIT.aws("delete-function", "--function-name", "rel").exit()).isZero();
  }

  @Test
  void aTrafficSplitTagsAndARollbackFromPilotlightsCli() throws Exception {
    Path dir = Files.createDirectories(work.resolve("split"));
    for (String v : new String[] {"one", "two", "three"}) {
      Files.writeString(dir.resolve("app.py"), "def handler(event, context):\n    return {'v': '" + v + "'}\n");
      DaemonFixture.CliResult deployed = d.cli("deploy", dir.toString(), "--name", "split", "--runtime", "python", "--handler", "app.handler");
      assertThat(deployed.exit()).as(deployed.err()).isZero();
    }
    DaemonFixture.CliResult set = d.cli("traffic", "split", "1=10", "latest=90", "canary:2=0");
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out()).contains("/fn/split@canary/");
    Map<Long, Integer> split = revisionsOf("/fn/split/", 1000);
    assertThat(split.keySet()).as("a tag at 0 %% takes no split call").containsExactly(1L, 3L);
    // 10 % of 1,000 random draws: within 5 standard deviations (53 to 147), as above
    assertThat(split.get(1L)).as("revision 1's share of 1,000 calls, " + split).isBetween(53, 147);
    assertThat(revisionsOf("/fn/split@canary/", 5)).containsOnlyKeys(2L);
    assertThat(revisionsOf("/fn/split@1/", 5)).containsOnlyKeys(1L);

    JsonNode revisions = DaemonFixture.JSON.readTree(d.cli("revisions", "split", "--json").out());
    assertThat(revisions.path("revisions").findValuesAsText("percent")).containsExactly("10", "0", "90");

    DaemonFixture.CliResult bad = d.cli("traffic", "split", "1=60", "latest=50");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("add up to 110 %");
    DaemonFixture.CliResult unknownRevision = d.cli("traffic", "split", "7=100");
    assertThat(unknownRevision.err()).contains("revision 7 of 'split' is not kept");

    DaemonFixture.CliResult rollback = d.cli("traffic", "split", "latest=100");
    assertThat(rollback.exit()).isZero();
    rollback = d.cli("rollback", "split");
    assertThat(rollback.exit()).as(rollback.err()).isZero();
    assertThat(revisionsOf("/fn/split/", 20)).containsOnlyKeys(2L);
    assertThat(d.logs("split")).contains("ROLLBACK from revision 3 to revision 2");
    DaemonFixture.CliResult invoked = d.cli("invoke", "split", "--qualifier", "3", "--json");
    assertThat(invoked.out()).contains("\"revision\" : 3").contains("three");
    assertThat(d.cli("rm", "split").exit()).isZero();
  }
}
