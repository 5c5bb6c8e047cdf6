package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoReportTest {

  @Test
  void table_showsColdAndWarmLatencyAndTheColdAnswer() {
    List<Double> warm = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      warm.add((double) i); // 1..20 ms
    }
    String table = DemoReport.table(List.of(
        new DemoReport.Measurement("hello-java", "java", 412.34, 200, "{\"message\": \"Hello, Ann!\"}\n", warm, "pool-layer", 12.5),
        new DemoReport.Measurement("hello-http", "http", 95.0, 502, "{\"error\":\"InstanceFailed\"}", List.of(3.0))));

    assertThat(table).isEqualTo("""
        FUNCTION    RUNTIME  COLD MS  AGAIN MS  LAUNCH      WARM P50 MS  WARM P99 MS  RESPONSE
        hello-java  java       412.3      12.5  pool-layer         10.0         20.0  {"message": "Hello, Ann!"}
        hello-http  http        95.0         -  -                   3.0          3.0  HTTP 502: {"error":"InstanceFailed"}
        """);
  }

  @Test
  void percentile_isNearestRank() {
    List<Double> samples = List.of(5.0, 1.0, 4.0, 2.0, 3.0);
    assertThat(DemoReport.percentile(samples, 50)).isEqualTo(3.0);
    assertThat(DemoReport.percentile(samples, 99)).isEqualTo(5.0);
    assertThat(DemoReport.percentile(samples, 0)).isEqualTo(1.0);
    assertThat(DemoReport.percentile(List.of(7.0), 99)).isEqualTo(7.0);
  }

  @Test
  void body_isOneLineAndCut() {
    assertThat(DemoReport.body(200, "a\n  b\tc")).isEqualTo("a b c");
    assertThat(DemoReport.body(200, "x".repeat(100))).hasSize(60).endsWith("…");
  }

  @Test
  void tryIt_addsUrlOnlyOffTheDefaultPort() {
    String onDefault = DemoReport.tryIt("http://127.0.0.1:8080", true, Path.of("/tmp/demo-1"), List.of("hello-java", "hello-http"));
    assertThat(onDefault)
        .contains("curl 'http://127.0.0.1:8080/fn/hello-java/?name=Ann'", "curl 'http://127.0.0.1:8080/fn/hello-http/?name=Ann'",
            "export PILOTLIGHT_DATA_DIR=/tmp/demo-1", "bin/pilotlight logs hello-java --follow\n",
            "eval \"$(bin/pilotlight keys create)\"", "open http://127.0.0.1:8080/console/   # the console; sign in with the token in /tmp/demo-1/admin.token",
            "aws --endpoint-url http://127.0.0.1:8080 lambda invoke --function-name hello-java")
        .doesNotContain("--url").doesNotContain("AWS_ACCESS_KEY_ID=x");

    String elsewhere = DemoReport.tryIt("http://127.0.0.1:9090", false, Path.of("/tmp/demo-1"), List.of("hello-java"));
    assertThat(elsewhere).contains("bin/pilotlight status hello-java --url http://127.0.0.1:9090\n");
  }
}
