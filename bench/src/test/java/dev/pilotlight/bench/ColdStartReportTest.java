package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColdStartReportTest {
  private static final ExampleResult JAVA = new ExampleResult("hello-java", "plain",
      new Summary(30, 8.0, 9.5, 12.25), new Summary(30, 200.0, 210.0, 250.0), new Summary(50, 0.5, 0.6, 0.9), null);
  private static final ExampleResult HTTP = new ExampleResult("hello-http", "plain 29, snapshot 1",
      new Summary(30, 100.0, 120.0, 130.0), new Summary(30, 300.0, 320.0, 330.0),
      new Summary(50, 0.4, 0.5, 0.7), new Summary(50, 0.2, 0.25, 0.3));
  private static final RunInfo INFO = new RunInfo(2, "25.0.1",
      ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, ZoneOffset.UTC), 30, 50);

  @Test
  void tablesHaveTheRowsThatApplyWithTwoDecimalsAndRatios() {
    String table = ColdStartReport.table(List.of(JAVA, HTTP), INFO);
    assertThat(table).contains("hello-java\n", "hello-http\n");
    assertThat(table).containsPattern("pilotlight cold \\(plain\\) +30 +8\\.00 +9\\.50 +12\\.25 +25\\.00×");
    assertThat(table).containsPattern("plain process \\(baseline\\) +30 +200\\.00 +210\\.00 +250\\.00\\s");
    assertThat(table).containsPattern("pilotlight cold \\(plain 29, snapshot 1\\) +30 +100\\.00 .* 3\\.00×");
    assertThat(table).containsPattern("pilotlight warm +50 +0\\.40 +0\\.50 +0\\.70 +0\\.50×");
    assertThat(table).containsPattern("direct warm \\(baseline\\) +50 +0\\.20");
    // hello-java has no server of its own: no direct warm row
    assertThat(table.substring(0, table.indexOf("hello-http"))).doesNotContain("direct warm");
    assertThat(table).contains("2 cores, java 25.0.1", "2026-11-22T10:00:00Z", "N = 30");
  }

  @Test
  void jsonIsKeyedByExampleWithTheSameFigures() {
    JsonNode json = ColdStartReport.json(List.of(JAVA, HTTP));
    assertThat(json.fieldNames()).toIterable().containsExactly("hello-java", "hello-http");
    JsonNode java = json.get("hello-java");
    assertThat(java.get("strategy").asText()).isEqualTo("plain");
    assertThat(java.get("ratio").asDouble()).isEqualTo(25.0);
    assertThat(java.get("cold").get("n").asInt()).isEqualTo(30);
    assertThat(java.get("cold").get("p99").asDouble()).isEqualTo(12.25);
    assertThat(java.get("baseline").get("p50").asDouble()).isEqualTo(200.0);
    assertThat(java.get("warm").get("p90").asDouble()).isEqualTo(0.6);
    assertThat(java.get("warmBaseline").isNull()).isTrue();
    assertThat(java.get("warmRatio").isNull()).isTrue();
    assertThat(json.get("hello-http").get("warmRatio").asDouble()).isEqualTo(0.5);
  }

  @Test
  void strategiesAreNamedOnceWhenAllAgreeAndCountedWhenMixed() {
    StrategyTally one = new StrategyTally();
    one.add("plain");
    one.add("plain");
    assertThat(one.describe()).isEqualTo("plain");
    StrategyTally mixed = new StrategyTally();
    mixed.add("pool");
    mixed.add("plain");
    mixed.add("pool");
    mixed.add(null);
    assertThat(mixed.describe()).isEqualTo("pool 2, plain 1, unknown 1");
    assertThat(new StrategyTally().describe()).isEqualTo("none");
  }
}
