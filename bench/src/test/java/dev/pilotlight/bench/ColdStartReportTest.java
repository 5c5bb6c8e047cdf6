package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ColdStartReportTest {
  private static Map<String, Integer> counts(Object... strategyThenCount) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < strategyThenCount.length; i += 2) {
      m.put((String) strategyThenCount[i], (Integer) strategyThenCount[i + 1]);
    }
    return m;
  }

  private static final ExampleResult JAVA = new ExampleResult("hello-java", "java", List.of(
      new RungResult("default", "hello-java", counts("pool-layer", 29, "pool", 1), new Summary(30, 8.0, 9.5, 12.25), new Summary(30, 4.0, 5.0, 6.0)),
      new RungResult("pool", "hello-java-pool", counts("pool", 30), new Summary(30, 20.0, 22.0, 30.0), new Summary(30, 15.0, 16.0, 20.0)),
      new RungResult("plain", "hello-java-plain", counts("plain", 30), new Summary(30, 250.0, 260.0, 300.0), new Summary(30, 230.0, 240.0, 290.0))),
      new Summary(30, 200.0, 210.0, 250.0), null, new Summary(50, 0.5, 0.6, 0.9), null, 0);
  private static final ExampleResult HTTP = new ExampleResult("hello-http", "http", List.of(
      new RungResult("default", "hello-http", counts("plain", 29, "snapshot", 1), new Summary(30, 100.0, 120.0, 130.0), null)),
      new Summary(30, 300.0, 320.0, 330.0), null, new Summary(50, 0.4, 0.5, 0.7), new Summary(50, 0.2, 0.25, 0.3), 2);
  private static final ExampleResult PYTHON = new ExampleResult("hello-python", "python3.12", List.of(
      new RungResult("default", "hello-python", counts("plain", 30), new Summary(30, 30.0, 33.0, 40.0), new Summary(30, 25.5, 26.0, 27.0))),
      new Summary(30, 24.0, 25.0, 26.0), new Summary(30, 20.0, 21.0, 22.0), null, null, 0);
  private static final RunInfo INFO = new RunInfo(2, "25.0.1",
      ZonedDateTime.of(2026, 11, 22, 10, 0, 0, 0, ZoneOffset.UTC), 30, 50);

  @Test
  void tablesHaveARowPerRungWithItsStrategiesAndRatio() {
    String table = ColdStartReport.table(List.of(JAVA, HTTP, PYTHON), INFO);
    assertThat(table).contains("hello-java (java)\n", "hello-http (http)\n", "hello-python (python3.12)\n");
    assertThat(table).containsPattern("cold, default +30 +8\\.00 +9\\.50 +12\\.25 +25\\.00× +pool-layer 29, pool 1; init p50 4\\.00 ms\n");
    assertThat(table).containsPattern("cold, pool +30 +20\\.00 +22\\.00 +30\\.00 +10\\.00× +pool; init p50 15\\.00 ms\n");
    assertThat(table).containsPattern("cold, plain +30 +250\\.00 .* 0\\.80× +plain; init p50 230\\.00 ms\n");
    assertThat(table).containsPattern("plain process \\(baseline\\) +30 +200\\.00 +210\\.00 +250\\.00\n");
    assertThat(table).containsPattern("cold, default +30 +100\\.00 .* 3\\.00× +plain 29, snapshot 1\n");
    assertThat(table).containsPattern("pilotlight warm +50 +0\\.40 +0\\.50 +0\\.70 +0\\.50×\n");
    assertThat(table).containsPattern("direct warm \\(baseline\\) +50 +0\\.20");
    // hello-java has no server of its own: no direct warm row
    assertThat(table.substring(0, table.indexOf("hello-http"))).doesNotContain("direct warm", "bare interpreter start");
    assertThat(table).contains("2 cores, java 25.0.1", "2026-11-22T10:00:00Z", "N = 30");
  }

  @Test
  void pythonAndNodeAreAlsoComparedWithABareInterpreterStart() {
    String table = ColdStartReport.table(List.of(PYTHON), INFO);
    assertThat(table).containsPattern("cold, default +30 +30\\.00 +33\\.00 +40\\.00 +0\\.80× +plain; init p50 25\\.50 ms; 1\\.50× a bare interpreter start\n");
    assertThat(table).containsPattern("bare interpreter start +30 +20\\.00 +21\\.00 +22\\.00\n");
    assertThat(table).doesNotContain("pilotlight warm", "ran out");
  }

  @Test
  void refillWaitsThatRanOutAreNoted() {
    assertThat(ColdStartReport.table(List.of(HTTP), INFO)).contains("note: 2 wait(s) for the warm pool to refill ran out after 10 s");
  }

  @Test
  void jsonIsKeyedByExampleThenByRung() {
    JsonNode json = ColdStartReport.json(List.of(JAVA, HTTP, PYTHON));
    assertThat(json.fieldNames()).toIterable().containsExactly("hello-java", "hello-http", "hello-python");
    JsonNode java = json.get("hello-java");
    assertThat(java.get("runtime").asText()).isEqualTo("java");
    assertThat(java.get("rungs").fieldNames()).toIterable().containsExactly("default", "pool", "plain");
    JsonNode def = java.get("rungs").get("default");
    assertThat(def.get("function").asText()).isEqualTo("hello-java");
    assertThat(def.get("strategy").asText()).isEqualTo("pool-layer 29, pool 1");
    assertThat(def.get("strategies").get("pool-layer").asInt()).isEqualTo(29);
    assertThat(def.get("strategies").fieldNames()).toIterable().containsExactly("pool-layer", "pool");
    assertThat(def.get("cold").get("p99").asDouble()).isEqualTo(12.25);
    assertThat(def.get("init").get("p50").asDouble()).isEqualTo(4.0);
    assertThat(json.get("hello-http").get("rungs").get("default").get("init").isNull()).isTrue();
    assertThat(def.get("ratio").asDouble()).isEqualTo(25.0);
    assertThat(def.get("vsInterpreter").isNull()).isTrue();
    assertThat(java.get("rungs").get("plain").get("ratio").asDouble()).isEqualTo(0.8);
    assertThat(java.get("rungs").get("pool").get("function").asText()).isEqualTo("hello-java-pool");
    assertThat(java.get("baseline").get("p50").asDouble()).isEqualTo(200.0);
    assertThat(java.get("interpreter").isNull()).isTrue();
    assertThat(java.get("warm").get("p90").asDouble()).isEqualTo(0.6);
    assertThat(java.get("warmBaseline").isNull()).isTrue();
    assertThat(java.get("warmRatio").isNull()).isTrue();
    assertThat(java.get("poolRefillTimeouts").asInt()).isZero();
    assertThat(json.get("hello-http").get("warmRatio").asDouble()).isEqualTo(0.5);
    assertThat(json.get("hello-http").get("poolRefillTimeouts").asInt()).isEqualTo(2);
    JsonNode python = json.get("hello-python");
    assertThat(python.get("rungs").get("default").get("vsInterpreter").asDouble()).isEqualTo(1.5);
    assertThat(python.get("interpreter").get("p50").asDouble()).isEqualTo(20.0);
    assertThat(python.get("warm").isNull()).isTrue();
  }

  @Test
  void jsonKeepsTheDefaultRungAtTheTopAsBefore() {
    JsonNode java = ColdStartReport.json(List.of(JAVA)).get("hello-java");
    assertThat(java.get("strategy").asText()).isEqualTo("pool-layer 29, pool 1");
    assertThat(java.get("ratio").asDouble()).isEqualTo(25.0);
    assertThat(java.get("cold").get("p50").asDouble()).isEqualTo(8.0);
  }

  @Test
  void strategiesAreNamedOnceWhenAllAgreeAndCountedWhenMixed() {
    StrategyTally one = new StrategyTally();
    one.add("plain");
    one.add("plain");
    assertThat(one.describe()).isEqualTo("plain");
    assertThat(one.counts()).containsExactly(Map.entry("plain", 2));
    StrategyTally mixed = new StrategyTally();
    mixed.add("pool");
    mixed.add("plain");
    mixed.add("pool");
    mixed.add(null);
    mixed.add(" ");
    assertThat(mixed.describe()).isEqualTo("pool 2, plain 1, unknown 2");
    assertThat(mixed.counts()).containsExactly(Map.entry("pool", 2), Map.entry("plain", 1), Map.entry("unknown", 2));
    assertThat(new StrategyTally().describe()).isEqualTo("none");
  }

  @Test
  void aRungResultKeepsItsOwnCopyOfTheCounts() {
    StrategyTally tally = new StrategyTally();
    tally.add("pool-layer");
    Map<String, Integer> live = new LinkedHashMap<>(tally.counts());
    RungResult r = new RungResult("default", "f", live, new Summary(1, 1, 1, 1), null);
    live.put("plain", 5);
    assertThat(r.strategies()).containsExactly(Map.entry("pool-layer", 1));
    assertThat(r.strategy()).isEqualTo("pool-layer");
  }
}
