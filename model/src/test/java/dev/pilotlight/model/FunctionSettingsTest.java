package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The declarations themselves: unique names, accessors that reach their own component, text forms, checks and their messages. */
class FunctionSettingsTest {
  private static final FunctionSpec PLAIN = FunctionSpec.of("fn", Runtime.JAVA, "a.B", null);
  private static final FunctionSpec WEB = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("./run").memoryMb(512)
      .timeout(Duration.ofSeconds(5)).concurrency(4).minInstances(1).maxInstances(3).idleTimeout(Duration.ZERO).env(Map.of("A", "b"))
      .maxEventAge(Duration.ofHours(1)).maxRetries(0).retryDelay(Duration.ofSeconds(2)).scaling(ScalingSettings.builder()
          .targetUtilization(0.5).stableWindow(Duration.ofSeconds(20)).panicWindow(Duration.ofSeconds(2)).panicThreshold(4.0)
          .maxScaleUpRate(5.0).maxScaleDownRate(3.0).maxQueue(9).maxQueueWait(Duration.ofSeconds(3)).scaleDownDelay(Duration.ZERO).build())
      .keepAlive(KeepAlive.OFF).readinessPath("/ready").build();

  @Test
  void keysStoredKeysAndFlagsAreEachDeclaredOnce() {
    for (var names : List.of(FunctionSettings.keys(),
        FunctionSettings.ALL.stream().map(s -> (s.isScaling() ? "scaling." : "") + s.storedKey()).toList(),
        FunctionSettings.ALL.stream().map(Setting::flag).filter(Objects::nonNull).toList())) {
      assertThat(new HashSet<>(names)).hasSameSizeAs(names);
    }
    assertThat(FunctionSettings.ALL).allSatisfy(s -> assertThat(s.doc()).isNotBlank());
  }

  @Test
  void everyRecordComponentIsADeclaredSetting() {
    assertThat(FunctionSpec.class.getRecordComponents()).as("FunctionSpec's components but scaling")
        .hasSize(FunctionSettings.ALL.size() - FunctionSettings.SCALING.size() + 1);
    assertThat(ScalingSettings.class.getRecordComponents()).hasSameSizeAs(FunctionSettings.SCALING);
    assertThat(FunctionSettings.SCALING.stream().map(Setting::key))
        .containsExactly(Arrays.stream(ScalingSettings.class.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new));
  }

  @Test
  void aDeployFlagIsItsKeyInKebabCase() {
    for (Setting<?> s : FunctionSettings.ALL) {
      assertThat(s.flag()).as(s.key()).isEqualTo("--" + s.key().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void eachSettingReadsAndWritesItsOwnComponent() {
    for (Setting<?> s : FunctionSettings.ALL) {
      if (s == FunctionSettings.HANDLER) {
        continue; // http has none: covered the other way round below
      }
      assertThat(copy(s, WEB, PLAIN.toBuilder().runtime(Runtime.HTTP).command("./other").handler(null)).build()).as(s.key())
          .satisfies(spec -> assertThat((Object) s.get(spec)).isEqualTo(s.get(WEB)));
    }
    assertThat(copy(FunctionSettings.HANDLER, PLAIN, FunctionSpec.builder().name("x").runtime(Runtime.JAVA)).build().handler())
        .isEqualTo("a.B");
  }

  private static <T> FunctionSpec.Builder copy(Setting<T> s, FunctionSpec from, FunctionSpec.Builder to) {
    s.set(to, s.get(from));
    return to;
  }

  @Test
  void aBuilderStartsAtTheDeclaredDefaults() {
    for (Setting<?> s : FunctionSettings.ALL) {
      if (s != FunctionSettings.NAME && s != FunctionSettings.RUNTIME && s != FunctionSettings.HANDLER) {
        assertThat((Object) s.get(PLAIN)).as(s.key()).isEqualTo(s.defaultValue());
      }
    }
    assertThat(WEB.toBuilder().build()).isEqualTo(WEB);
  }

  @Test
  void textIsReadAndWrittenByKind() {
    assertThat(FunctionSettings.MEMORY.parse("memory", " 512 ")).isEqualTo(512);
    assertThat(FunctionSettings.TARGET_UTILIZATION.parse("targetUtilization", ".5")).isEqualTo(0.5);
    assertThat(FunctionSettings.TIMEOUT.parse("timeout", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(FunctionSettings.TIMEOUT.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(FunctionSettings.TIMEOUT.store(Duration.ofSeconds(90))).isEqualTo("PT1M30S");
    assertThat(FunctionSettings.TIMEOUT.unstore("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThat(FunctionSettings.RUNTIME.parse("runtime", "python3.12")).isEqualTo(Runtime.PYTHON);
    assertThat(FunctionSettings.RUNTIME.format(Runtime.PYTHON)).isEqualTo("python");
    assertThat(FunctionSettings.KEEP_ALIVE.parse("--keep-alive", "FIXED")).isEqualTo(KeepAlive.FIXED);
    assertThat(FunctionSettings.MAX_QUEUE.unstore(7L)).isEqualTo(7);
    assertThatThrownBy(() -> FunctionSettings.MEMORY.parse("memory", "lots")).isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("memory: 'lots' (expected: an integer number of MB, e.g. 512)");
    assertThatThrownBy(() -> FunctionSettings.MAX_RETRIES.parse("maxRetries", "99999999999"))
        .hasMessage("maxRetries: '99999999999' (expected: an integer)");
    assertThatThrownBy(() -> FunctionSettings.PANIC_THRESHOLD.parse("panicThreshold", "1e3"))
        .hasMessage("panicThreshold: '1e3' (expected: a number such as 0.7 or 2)");
  }

  @Test
  void aManifestLeavesOutWhatIsUnsetEmptyOrAnAsyncDefault() {
    assertThat(FunctionSettings.MEMORY.written(FunctionSpec.DEFAULT_MEMORY_MB)).isTrue();
    assertThat(FunctionSettings.MAX_RETRIES.written(FunctionSpec.DEFAULT_MAX_RETRIES)).isFalse();
    assertThat(FunctionSettings.MAX_RETRIES.written(1)).isTrue();
    assertThat(FunctionSettings.ENV.written(Map.of())).isFalse();
    assertThat(FunctionSettings.RETRY_DELAY.written(null)).isFalse();
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.memoryMb(63), "memory: 63 (expected: 64..65536)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.timeout(Duration.ZERO), "timeout: PT0S (expected: between 1ms and 15m)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.timeout(null), "timeout: null (expected: between 1ms and 15m)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.concurrency(0), "concurrency: 0 (expected: 1..1000)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.minInstances(-1), "minInstances: -1 (expected: 0..1000)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.maxInstances(1001), "maxInstances: 1001 (expected: 1..1000)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.minInstances(3).maxInstances(2),
            "minInstances: 3 (expected: <= maxInstances 2)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.idleTimeout(Duration.ofDays(8)),
            "idleTimeout: PT192H (expected: between 0s and 7d)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.maxEventAge(Duration.ofHours(7)),
            "maxEventAge: PT7H (expected: between 1s and 6h)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.maxRetries(3), "maxRetries: 3 (expected: 0..2)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.retryDelay(Duration.ZERO), "retryDelay: PT0S (expected: between 1ms and 1h)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.readinessPath("/ready"),
            "readinessPath: '/ready' (only runtime http has one; runtime java is ready when its runtime asks for the first event)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.scaling(ScalingSettings.UNSET.withScaleDownDelay(Duration.ofSeconds(-1))),
            "scaleDownDelay: PT-1S (expected: between 0s (off) and 1h)"),
        Arguments.of((UnaryOperator<FunctionSpec.Builder>) b -> b.scaling(ScalingSettings.UNSET.withMaxQueueWait(Duration.ofMinutes(16))),
            "maxQueueWait: PT16M (expected: between 1ms and 15m)"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void eachCheckNamesTheKeyTheValueAndWhatIsAllowed(UnaryOperator<FunctionSpec.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(PLAIN.toBuilder()).build()).isInstanceOf(Failure.InvalidInput.class).hasMessage(message);
  }
}
