package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.ScalingSettings;
import dev.pilotlight.model.release.RolloutPlan;
import dev.pilotlight.model.source.MappingSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestTest {

  @Test
  void readsEveryKey() {
    FunctionSpec spec = Manifest.parse("""
        name: hello-http
        runtime: http
        command: java -jar app.jar
        memory: 512
        timeout: 1500ms
        concurrency: 8
        minInstances: 1
        maxInstances: 4
        idleTimeout: 2m
        env:
          GREETING: hello
          PORT_HINT: 8080
          DEBUG: true
        package: target/app.jar
        """, null);

    assertThat(spec).isEqualTo(FunctionSpec.builder().name("hello-http").runtime(Runtime.HTTP).command("java -jar app.jar")
        .memoryMb(512).timeout(Duration.ofMillis(1500)).concurrency(8).minInstances(1).maxInstances(4).idleTimeout(Duration.ofMinutes(2))
        .env(Map.of("GREETING", "hello", "PORT_HINT", "8080", "DEBUG", "true")).build());
  }

  @Test
  void readsAHandlerAndAwsRuntimeNames() {
    FunctionSpec spec = Manifest.parse("runtime: java21\nhandler: example.Hello::handleRequest\n", "hello-java");
    assertThat(spec.runtime()).isEqualTo(Runtime.JAVA);
    assertThat(spec.handler()).isEqualTo("example.Hello::handleRequest");
    assertThat(spec.awsRuntime()).as("read back by the Lambda API as written").isEqualTo("java21");
    assertThat(Manifest.parse("runtime: java\nhandler: a.B\n", "x").awsRuntime()).isNull();
  }

  @Test
  void missingKeysTakeTheSpecDefaults() {
    FunctionSpec spec = Manifest.parse("name: lean\nruntime: java\nhandler: a.B\n", null);
    assertThat(spec).isEqualTo(FunctionSpec.of("lean", Runtime.JAVA, "a.B", null));
    assertThat(spec.memoryMb()).isEqualTo(FunctionSpec.DEFAULT_MEMORY_MB);
    assertThat(spec.timeout()).isEqualTo(FunctionSpec.DEFAULT_TIMEOUT);
    assertThat(spec.idleTimeout()).isEqualTo(FunctionSpec.DEFAULT_IDLE_TIMEOUT);
    assertThat(spec.minInstances()).isZero();
    assertThat(spec.env()).isEmpty();
  }

  @Test
  void keysWithNoValueTakeDefaultsToo() {
    FunctionSpec spec = Manifest.parse("runtime: java\nhandler: a.B\nmemory:\ntimeout: ~\nenv:\n", "x");
    assertThat(spec).isEqualTo(FunctionSpec.of("x", Runtime.JAVA, "a.B", null));
  }

  @Test
  void theNameGivenAtDeployTimeWins() {
    assertThat(Manifest.parse("name: from-file\nruntime: java\nhandler: a.B\n", "from-flag").name()).isEqualTo("from-flag");
    assertThat(Manifest.parse("name: from-file\nruntime: java\nhandler: a.B\n", null).name()).isEqualTo("from-file");
  }

  @Test
  void timeoutsAcceptPlainSecondsAndUnits() {
    assertThat(Manifest.parse("runtime: java\nhandler: a.B\ntimeout: 45\nidleTimeout: 0\n", "x"))
        .extracting(FunctionSpec::timeout, FunctionSpec::idleTimeout)
        .containsExactly(Duration.ofSeconds(45), Duration.ZERO);
    assertThat(Manifest.parse("runtime: java\nhandler: a.B\ntimeout: '1m'\nmemory: '1024'\n", "x"))
        .extracting(FunctionSpec::timeout, FunctionSpec::memoryMb)
        .containsExactly(Duration.ofMinutes(1), 1024);
  }

  @Test
  void envValuesArriveExactlyAsWritten() {
    // YAML 1.1 would turn these into true, 83, 1.1 and 1000.
    FunctionSpec spec = Manifest.parse("""
        runtime: java
        handler: a.B
        env: {ENABLED: yes, ZIP: 0123, VERSION: 1.10, LIMIT: 1e3, QUOTED: "a: b", EMPTY: ""}
        """, "x");
    assertThat(spec.env()).containsExactlyInAnyOrderEntriesOf(
        Map.of("ENABLED", "yes", "ZIP", "0123", "VERSION", "1.10", "LIMIT", "1e3", "QUOTED", "a: b", "EMPTY", ""));
  }

  @Test
  void anEmptyManifestNeedsARuntimeAndSaysSo() {
    assertThatThrownBy(() -> Manifest.parse("", "hello"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("runtime is missing (expected one of: " + Runtime.accepted() + ")");
    assertThatThrownBy(() -> Manifest.parse("# just a comment\n", "hello"))
        .hasMessageStartingWith("runtime is missing");
  }

  @Test
  void unknownKeysAreNamedWithTheKnownOnes() {
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nmemroy: 512\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("pilotlight.yaml: unknown key 'memroy' (known keys: name, runtime, handler, command, memory, ephemeralStorage, "
            + "timeout, concurrency, minInstances, maxInstances, idleTimeout, env, secrets, secretFiles, maxEventAge, maxRetries, retryDelay, "
            + "targetUtilization, stableWindow, panicWindow, panicThreshold, maxScaleUpRate, maxScaleDownRate, maxQueue, maxQueueWait, scaleDownDelay, "
            + "keepAlive, readinessPath, auth, invokeMode, onSuccess, onFailure, deadLetter, description, role, tags, awsRuntime, reservedConcurrency, permissions, rollout, schedule, events, package, build)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      memory: abc                | memory: 'abc' (expected: an integer number of MB, e.g. 512)
      memory: 1.5                | memory: '1.5' (expected: an integer number of MB, e.g. 512)
      memory: [1]                | memory: a list (expected: an integer number of MB, e.g. 512)
      memory: 99999999999        | memory: '99999999999' (expected: an integer number of MB, e.g. 512)
      concurrency: many          | concurrency: 'many' (expected: an integer)
      minInstances: {a: 1}       | minInstances: a mapping (expected: an integer)
      maxInstances: true         | maxInstances: 'true' (expected: an integer)
      timeout: [30s]             | timeout: a list (expected: a duration such as 30s, 5m or a whole number of seconds)
      timeout: soon              | timeout: 'soon' is not a duration
      idleTimeout: 5 minutes     | idleTimeout: '5 minutes' is not a duration
      handler: [a.B]             | handler: a list (expected: a string)
      command: {x: y}            | command: a mapping (expected: a string)
      runtime: [java]            | runtime: a list (expected: a string)
      runtime: cobol             | runtime: 'cobol' is not supported
      env: [A, B]                | env: a list (expected: a mapping of NAME: value)
      env: {A: [1]}              | env.A: a list (expected: a string, number or boolean)
      env: {A: {b: c}}           | env.A: a mapping (expected: a string, number or boolean)
      env: {A: }                 | env: key 'A' has no value
      env: {1BAD: x}             | env: key '1BAD'
      env: {A: "x\\0y"}          | env: the value of 'A' contains a NUL character
      memory: 10                 | memory: 10 (expected: 64..65536)
      """)
  void wrongValuesNameTheKeyAndWhatWasExpected(String line, String message) {
    // A valid manifest with the line under test replacing the valid line of the same key.
    String key = line.substring(0, line.indexOf(':'));
    var yaml = new StringBuilder();
    for (String valid : new String[] {"runtime: java", "handler: a.B"}) {
      if (!valid.startsWith(key + ":")) {
        yaml.append(valid).append('\n');
      }
    }
    yaml.append(line).append('\n');
    assertThatThrownBy(() -> Manifest.parse(yaml.toString(), "x"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageContaining(message);
  }

  @Test
  void aNameThatIsNotAStringOrNotValidIsRefused() {
    assertThatThrownBy(() -> Manifest.parse("name: {a: b}\nruntime: java\nhandler: a.B\n", null))
        .hasMessage("name: a mapping (expected: a string)");
    assertThatThrownBy(() -> Manifest.parse("name: Hello_World\nruntime: java\nhandler: a.B\n", null))
        .hasMessageStartingWith("name: 'Hello_World' is not a valid function name");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      runtime: java\\n  handler: x           | pilotlight.yaml: line 2, column 10: mapping values are not allowed here
      runtime: [java                        | pilotlight.yaml: line 1, column 15: expected ',' or ']', but got <stream end>
      runtime: java\\nruntime: http          | pilotlight.yaml: line 2, column 8: Duplicate field 'runtime'
      '\\"unterminated'                       | pilotlight.yaml: line 1, column 14: found unexpected end of stream
      - a\\n- b                              | pilotlight.yaml: expected 'key: value' lines such as 'runtime: java', got a list
      just words                            | pilotlight.yaml: expected 'key: value' lines such as 'runtime: java', got 'just words'
      runtime: java\\n---\\nruntime: http     | pilotlight.yaml: holds more than one YAML document
      """)
  void malformedYamlIsReportedOnOneLine(String yaml, String message) {
    assertThatThrownBy(() -> Manifest.parse(yaml.replace("\\n", "\n").replace("\\\"", "\""), "x"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void packageIsAcceptedAndIgnored() {
    assertThat(Manifest.parse("runtime: java\nhandler: a.B\npackage: {path: target/x.jar}\n", "x"))
        .isEqualTo(FunctionSpec.of("x", Runtime.JAVA, "a.B", null));
  }

  @Test
  void asyncInvocationSettingsAreReadWrittenAndChecked() {
    FunctionSpec spec = Manifest.parse("runtime: java\nhandler: a.B\nmaxEventAge: 90s\nmaxRetries: 0\nretryDelay: 250ms\n", "x");
    assertThat(spec.maxEventAge()).isEqualTo(Duration.ofSeconds(90));
    assertThat(spec.maxRetries()).isZero();
    assertThat(spec.retryDelay()).isEqualTo(Duration.ofMillis(250));
    assertThat(Manifest.parse(Manifest.toYaml(spec), null)).isEqualTo(spec);

    FunctionSpec defaults = Manifest.parse("runtime: java\nhandler: a.B\n", "x");
    assertThat(defaults.maxEventAge()).isEqualTo(Duration.ofHours(6));
    assertThat(defaults.maxRetries()).isEqualTo(2);
    assertThat(defaults.retryDelay()).isNull();

    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nmaxRetries: 3\n", "x"))
        .hasMessage("maxRetries: 3 (expected: 0..2)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nmaxEventAge: 7h\n", "x"))
        .hasMessageStartingWith("maxEventAge: PT7H (expected: between 1s and 6h)");
  }

  @Test
  void scalingSettingsAreReadWrittenAndChecked() {
    FunctionSpec spec = Manifest.parse("""
        runtime: java
        handler: a.B
        targetUtilization: 0.8
        stableWindow: 30s
        panicWindow: 3s
        panicThreshold: 3
        maxScaleUpRate: 10
        maxScaleDownRate: 1.5
        maxQueue: 50
        maxQueueWait: 2s
        scaleDownDelay: 0s
        """, "x");
    assertThat(spec.scaling()).isEqualTo(new ScalingSettings(0.8, Duration.ofSeconds(30), Duration.ofSeconds(3), 3.0, 10.0, 1.5, 50,
        Duration.ofSeconds(2), Duration.ZERO));
    assertThat(Manifest.parse(Manifest.toYaml(spec), null)).isEqualTo(spec);
    assertThat(Manifest.parse("runtime: java\nhandler: a.B\n", "x").scaling()).isEqualTo(ScalingSettings.UNSET);

    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\ntargetUtilization: 70%\n", "x"))
        .hasMessage("targetUtilization: '70%' (expected: a number such as 0.7 or 2)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\ntargetUtilization: 1.5\n", "x"))
        .hasMessage("targetUtilization: 1.5 (expected: 0.01 to 1, e.g. 0.7)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nmaxQueue: 0\n", "x"))
        .hasMessage("maxQueue: 0 (expected: 1..100000)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nstableWindow: 10s\npanicWindow: 20s\n", "x"))
        .hasMessage("panicWindow: 20s (expected: at most stableWindow 10s)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nscaleDownDelay: 2h\n", "x"))
        .hasMessageStartingWith("scaleDownDelay: 2h (expected: between 0s (off) and 1h)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nmaxScaleDownRate: 1\n", "x"))
        .hasMessageStartingWith("maxScaleDownRate: 1.0 (expected: more than 1");
  }

  @Test
  void toYamlRoundTrips() {
    var tricky = Map.of("YES", "yes", "NUM", "0123", "EMPTY", "", "COLON", "a: b", "MULTI", "line1\nline2",
        "NULLISH", "null", "HASH", "#x", "DECIMAL", "1.10", "SPACES", "  padded  ");
    var http = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("java -jar app.jar --x=\"1\" # not a comment")
        .memoryMb(1024).timeout(Duration.ofMillis(1500)).concurrency(4).minInstances(2).maxInstances(8).idleTimeout(Duration.ZERO)
        .env(tricky).build();
    var java = FunctionSpec.of("hello-java", Runtime.JAVA, "example.Hello::handleRequest", null);

    assertThat(Manifest.parse(Manifest.toYaml(http), null)).isEqualTo(http);
    assertThat(Manifest.parse(Manifest.toYaml(java), null)).isEqualTo(java);
    assertThat(Manifest.toYaml(java)).isEqualTo("""
        name: hello-java
        runtime: java
        handler: example.Hello::handleRequest
        memory: 256
        timeout: 30s
        concurrency: 1
        minInstances: 0
        maxInstances: 10
        idleTimeout: 5m
        """);
  }

  @Test
  void readinessPathIsReadWrittenAndChecked() {
    FunctionSpec spec = Manifest.parse("""
        runtime: http
        command: java -jar app.jar
        readinessPath: /actuator/health/readiness
        """, "web");
    assertThat(spec.readinessPath()).isEqualTo("/actuator/health/readiness");
    assertThat(Manifest.toYaml(spec)).contains("readinessPath: /actuator/health/readiness\n");
    assertThat(Manifest.parse(Manifest.toYaml(spec), null)).isEqualTo(spec);
    assertThat(Manifest.parse("runtime: http\ncommand: java -jar app.jar\n", "web").effectiveReadinessPath()).isEqualTo("/");

    assertThatThrownBy(() -> Manifest.parse("runtime: http\ncommand: x\nreadinessPath: healthz\n", "web"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("readinessPath: 'healthz' (expected: a path starting with '/'");
    assertThatThrownBy(() -> Manifest.parse("runtime: http\ncommand: x\nreadinessPath: [/a]\n", "web"))
        .hasMessage("readinessPath: a list (expected: a string)");
    assertThatThrownBy(() -> Manifest.parse("runtime: java\nhandler: a.B\nreadinessPath: /healthz\n", "x"))
        .hasMessageStartingWith("readinessPath: '/healthz' (only runtime http has one");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      canary:10%,5m                       | canary:10%,5m,errors=1%,latency=2x
      linear:10%,1m                       | linear:10%,1m,errors=1%,latency=2x
      'canary:20%,30s,errors=2%,latency=3x' | canary:20%,30s,errors=2%,latency=3x
      Linear:25%, 1m                      | linear:25%,1m,errors=1%,latency=2x
      """)
  void aRolloutIsReadAsAPlanBesideTheSpec(String written, String plan) {
    Manifest.Contents m = Manifest.read("runtime: java\nhandler: a.B\nrollout: " + written + "\n", "x");
    assertThat(m.rollout()).contains(RolloutPlan.parse(plan));
    assertThat(m.spec()).as("a rollout is no setting of the revision").isEqualTo(FunctionSpec.of("x", Runtime.JAVA, "a.B", null));
    assertThat(Manifest.parse("runtime: java\nhandler: a.B\nrollout: " + written + "\n", "x")).isEqualTo(m.spec());
    assertThat(Manifest.toYaml(m.spec())).doesNotContain("rollout");
  }

  @Test
  void noneOrNoRolloutMeansAtOnce() {
    assertThat(Manifest.read("runtime: java\nhandler: a.B\n", "x").rollout()).isEmpty();
    assertThat(Manifest.read("runtime: java\nhandler: a.B\nrollout: none\n", "x").rollout()).isEmpty();
    assertThat(Manifest.read("runtime: java\nhandler: a.B\nrollout: None\n", "x").rollout()).isEmpty();
    assertThat(Manifest.read("runtime: java\nhandler: a.B\nrollout:\n", "x").rollout()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      rollout: canary:150%,5m         | pilotlight.yaml: rollout: 150 % (expected: 1 to 99 %)
      rollout: blue-green             | pilotlight.yaml: rollout: 'blue-green' (expected: canary:PERCENT%,INTERVAL or linear:PERCENT%,INTERVAL
      rollout: canary:10%             | pilotlight.yaml: rollout: 'canary:10%' (expected:
      rollout: canary:10%,5m,speed=2x | pilotlight.yaml: rollout: 'speed=2x' in 'canary:10%,5m,speed=2x' (expected: errors=N% or latency=Nx)
      rollout: [canary:10%,5m]        | pilotlight.yaml: rollout: a list (expected: a plan such as canary:10%,5m or linear:10%,1m, or none)
      rollout: {canary: 10%}          | pilotlight.yaml: rollout: a mapping (expected:
      """)
  void anInvalidRolloutNamesTheFileTheKeyAndWhatWasExpected(String line, String message) {
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\n" + line + "\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void schedulesAreReadWithTheirDefaultsAndAnAbsentKeyLeavesThemAlone() {
    assertThat(Manifest.read("runtime: java\nhandler: a.B\n", "x").schedules()).isEmpty();
    assertThat(Manifest.read("runtime: java\nhandler: a.B\nschedule: []\n", "x").schedules()).contains(List.of());
    var specs = Manifest.read("""
        runtime: java
        handler: a.B
        schedule:
          - rate(1 hour)
          - expression: cron(30 2 * * ? *)
            id: nightly
            timezone: Europe/Berlin
            payload: {job: compact, n: 2}
            missed: skip
          - expression: rate(5 minutes)
            payload: '{"n": 2, "all": true}'
        """, "x").schedules().orElseThrow();
    assertThat(specs).hasSize(3);
    assertThat(specs.get(0).id()).isEqualTo("schedule-1");
    assertThat(specs.get(0).zone()).isEqualTo("UTC");
    assertThat(specs.get(0).missed()).isEqualTo(dev.pilotlight.model.schedule.Schedule.Missed.ONCE);
    assertThat(specs.get(1).id()).isEqualTo("nightly");
    assertThat(specs.get(1).zone()).isEqualTo("Europe/Berlin");
    assertThat(new String(specs.get(1).payload(), java.nio.charset.StandardCharsets.UTF_8)).as("scalars in YAML are strings, as everywhere in the manifest").isEqualTo("{\"job\":\"compact\",\"n\":\"2\"}");
    assertThat(new String(specs.get(2).payload(), java.nio.charset.StandardCharsets.UTF_8)).as("a JSON string keeps its types")
        .isEqualTo("{\"n\":2,\"all\":true}");
    assertThat(specs.get(1).missed()).isEqualTo(dev.pilotlight.model.schedule.Schedule.Missed.SKIP);
  }

  @Test
  void eventSourcesAreReadWithTheirSettingsAndAnAbsentKeyLeavesThemAlone() {
    assertThat(Manifest.read("runtime: java\nhandler: a.B\n", "x").events()).isEmpty();
    assertThat(Manifest.read("runtime: java\nhandler: a.B\nevents: []\n", "x").events()).contains(List.of());
    var specs = Manifest.read("""
        runtime: java
        handler: a.B
        events:
          - mqtt://127.0.0.1:1883?topic=sensors/#
          - source: rabbitmq://guest:guest@127.0.0.1:5672/%2F?queue=orders
            batchSize: 10
            batchWindow: 2s
            maxRetries: 0
            onFailure: orders-failed
            enabled: false
            filters:
              - {data: {kind: [order]}}
              - '{"data": {"n": [{"numeric": [">", 2]}]}}'
        """, "x").events().orElseThrow();
    assertThat(specs).hasSize(2);
    assertThat(specs.get(0)).isEqualTo(new MappingSpec("mqtt://127.0.0.1:1883?topic=sensors/#", null, null, null, null, List.of(), null));
    assertThat(specs.get(1).batchSize()).isEqualTo(10);
    assertThat(specs.get(1).batchWindow()).isEqualTo(Duration.ofSeconds(2));
    assertThat(specs.get(1).maxRetries()).isZero();
    assertThat(specs.get(1).onFailure()).isEqualTo("orders-failed");
    assertThat(specs.get(1).enabled()).isFalse();
    assertThat(specs.get(1).filters()).containsExactly("{\"data\":{\"kind\":[\"order\"]}}", "{\"data\":{\"n\":[{\"numeric\":[\">\",2]}]}}");
  }

  @Test
  void badEventSourcesNameTheEntryAndWhatIsWrong() {
    String head = "runtime: java\nhandler: a.B\n";
    assertThatThrownBy(() -> Manifest.read(head + "events: mqtt://h:1883?topic=t\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("pilotlight.yaml: events: ").hasMessageContaining("a list");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - mqtt://h:1883?topic=t\n  - orders\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("pilotlight.yaml: events: entry 2: source 'orders' is not a URI");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - {source: 'mqtt://h:1883?topic=t', batch: 5}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 1: unknown key 'batch'");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - {batchSize: 5}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 1: source is required");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - {source: 'mqtt://h:1883?topic=t', batchSize: lots}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 1: batchSize: 'lots' (expected: a whole number)");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - {source: 'mqtt://h:1883?topic=t', batchWindow: soon}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 1: batchWindow: 'soon' is not a duration");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - {source: 'mqtt://h:1883?topic=t', filters: ['{oops']}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 1: filters: not JSON");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - {source: 'mqtt://h:1883?topic=t', enabled: maybe}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 1: enabled: 'maybe' (expected: true or false)");
    assertThatThrownBy(() -> Manifest.read(head + "events:\n  - 'rabbitmq://u:secret@h/%2F?queue=q'\n  - 'rabbitmq://u:secret@h/%2F?queue=q'\n",
        "x")).isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("entry 2: source rabbitmq://u:****@h/%2F?queue=q is listed twice")
        .hasMessageNotContaining("secret");
  }

  @Test
  void badSchedulesNameTheEntryAndWhatIsWrong() {
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\nschedule: rate(1 hour)\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("pilotlight.yaml: schedule: ").hasMessageContaining("a list");
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\nschedule:\n  - rate(1 hour)\n  - every day\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("pilotlight.yaml: schedule: entry 2: ");
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\nschedule:\n  - {expression: rate(1 hour), zone: UTC}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("unknown key 'zone'");
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\nschedule:\n  - {expression: rate(1 hour), id: a}\n"
        + "  - {expression: rate(2 hours), id: a}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("id 'a' is used twice");
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\nschedule:\n  - {expression: rate(1 hour), payload: '{oops'}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("payload");
    assertThatThrownBy(() -> Manifest.read("runtime: java\nhandler: a.B\nschedule:\n  - {expression: rate(1 hour), missed: later}\n", "x"))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("missed");
  }
}
