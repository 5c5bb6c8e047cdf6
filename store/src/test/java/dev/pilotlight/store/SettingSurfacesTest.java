package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pilotlight.model.FunctionSettings;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Setting;
import dev.pilotlight.testing.Deployments;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manifest and the registry's JSON hold exactly the declared settings ({@link FunctionSettings}):
 * one that a surface forgets, or a key a surface has that is not declared, fails here.
 */
class SettingSurfacesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<FunctionSpec> EVERY_SETTING = Deployments.everySettingSet();

  @Test
  void theFixtureSetsEverySettingToSomethingElseThanItsDefault() {
    for (Setting<?> s : FunctionSettings.ALL) {
      assertThat(EVERY_SETTING).as(s.key()).anyMatch(spec -> s.get(spec) != null && !s.get(spec).equals(s.defaultValue()));
    }
  }

  @Test
  void theManifestKnowsTheDeclaredKeysTheRolloutAndWhatOnlyTheCliReads() {
    assertThat(Manifest.KNOWN_KEYS).containsExactlyElementsOf(Stream.concat(FunctionSettings.keys().stream(), Stream.of("rollout", "schedule", "events", "package", "build"))
        .toList());
  }

  @Test
  void aWrittenManifestHasEveryDeclaredKeyAndReadsBackEqual() throws Exception {
    Set<String> written = new HashSet<>();
    for (FunctionSpec spec : EVERY_SETTING) {
      String yaml = Manifest.toYaml(spec);
      assertThat(Manifest.parse(yaml, null)).isEqualTo(spec);
      new ObjectMapper(new YAMLFactory()).readTree(yaml).fieldNames().forEachRemaining(written::add);
    }
    assertThat(written).containsExactlyInAnyOrderElementsOf(FunctionSettings.keys());
  }

  @Test
  void theStoredFormHasEveryDeclaredKeyUnderItsStoredNameAndNothingElse() throws Exception {
    Set<String> stored = new HashSet<>();
    for (FunctionSpec spec : EVERY_SETTING) {
      String json = SpecJson.write(spec);
      assertThat(SpecJson.read(json)).isEqualTo(spec);
      JsonNode n = JSON.readTree(json);
      n.fieldNames().forEachRemaining(k -> {
        if (!k.equals(SpecJson.SCALING)) {
          stored.add(k);
        }
      });
      n.path(SpecJson.SCALING).fieldNames().forEachRemaining(k -> stored.add(SpecJson.SCALING + "." + k));
    }
    assertThat(stored).containsExactlyInAnyOrderElementsOf(FunctionSettings.ALL.stream()
        .map(s -> s.isScaling() ? SpecJson.SCALING + "." + s.storedKey() : s.storedKey()).toList());
  }

  /** Stored keys are never renamed: this is what the registry holds for the http fixture. */
  @Test
  void theStoredFormIsTheOneOlderVersionsWrote() {
    assertThat(SpecJson.write(EVERY_SETTING.getFirst())).isEqualTo("""
        {"name":"web","runtime":"http","command":"java -jar app.jar","memoryMb":512,"ephemeralStorageMb":1024,"timeout":"PT1.5S",\
        "concurrency":8,"minInstances":1,"maxInstances":4,"idleTimeout":"PT2M","env":{"GREETING":"hi"},"maxEventAge":"PT1H","maxRetries":1,\
        "retryDelay":"PT5S","scaling":{"targetUtilization":0.5,"stableWindow":"PT30S","panicWindow":"PT3S","panicThreshold":3.0,\
        "maxScaleUpRate":10.0,"maxScaleDownRate":4.0,"maxQueue":20,"maxQueueWait":"PT0.7S","scaleDownDelay":"PT1M30S"},\
        "keepAlive":"fixed","readinessPath":"/healthz","auth":"token"}""");
  }

  @Test
  void aSpecStoredBeforeAsyncScalingKeepAliveAndReadinessSettingsReadsWithTheirDefaults() {
    FunctionSpec old = SpecJson.read("""
        {"name":"old","runtime":"java","handler":"example.Hello","memoryMb":128,"timeout":"PT3S","concurrency":1,\
        "minInstances":0,"maxInstances":10,"idleTimeout":"PT5M","env":{"A":"b"}}""");
    assertThat(old).isEqualTo(FunctionSpec.builder().name("old").runtime(dev.pilotlight.model.Runtime.JAVA).handler("example.Hello")
        .memoryMb(128).timeout(Duration.ofSeconds(3)).env(Map.of("A", "b")).build());
    assertThat(old.maxEventAge()).isEqualTo(FunctionSpec.DEFAULT_MAX_EVENT_AGE);
    assertThat(old.maxRetries()).isEqualTo(FunctionSpec.DEFAULT_MAX_RETRIES);
    assertThat(old.scaling().isUnset()).isTrue();
    assertThat(old.keepAlive()).isNull();
    assertThat(old.readinessPath()).isNull();
    assertThat(old.auth()).as("stored before auth: public, as it was").isNull();
  }

  /** Every version stored these: one missing is damage, refused, not a function with defaults nobody chose. */
  @Test
  void aRowMissingASettingEveryVersionStoredIsRefusedAsDamaged() {
    String full = """
        {"name":"old","runtime":"java","handler":"example.Hello","memoryMb":128,"timeout":"PT3S","concurrency":1,\
        "minInstances":0,"maxInstances":10,"idleTimeout":"PT5M","env":{}}""";
    assertThat(SpecJson.read(full).memoryMb()).isEqualTo(128);
    for (String key : List.of("name", "runtime", "memoryMb", "timeout", "concurrency", "minInstances", "maxInstances",
        "idleTimeout")) {
      String damaged = full.replaceFirst("\"" + key + "\":(\"[^\"]*\"|\\d+),?", "");
      assertThatThrownBy(() -> SpecJson.read(damaged)).as(key)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("'" + key + "' is missing");
    }
  }

  @Test
  void aSpecStoredWithScalingSettingsOfAnOlderVersionKeepsThem() {
    FunctionSpec old = SpecJson.read("""
        {"name":"old","runtime":"java","handler":"example.Hello","memoryMb":256,"timeout":"PT30S","concurrency":1,\
        "minInstances":0,"maxInstances":10,"idleTimeout":"PT5M","env":{},"maxEventAge":"PT6H","maxRetries":2,\
        "scaling":{"targetUtilization":0.8,"maxQueue":5}}""");
    assertThat(old.scaling().targetUtilization()).isEqualTo(0.8);
    assertThat(old.scaling().maxQueue()).isEqualTo(5);
    assertThat(old.scaling().scaleDownDelay()).isNull();
  }
}
