package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionSpecTest {

  @ParameterizedTest
  @ValueSource(strings = {"example.Hello", "example.Hello::handleRequest", "Hello", "a.b.C::m$1"})
  void javaHandlers(String handler) {
    assertThat(FunctionSpec.of("f", Runtime.JAVA, handler, null).handler()).isEqualTo(handler);
  }

  @ParameterizedTest
  @ValueSource(strings = {"app.handler", "pkg.mod.handler", "src/app.handler", "_private.lambda_handler", "a1.b2"})
  void pythonHandlers(String handler) {
    assertThat(FunctionSpec.of("f", Runtime.PYTHON, handler, null).handler()).isEqualTo(handler);
  }

  @ParameterizedTest
  @ValueSource(strings = {"app", "app.", ".handler", "app.handler()", "1app.handler", "app::handler", "src/app", "app.my-fn"})
  void badPythonHandlersNameTheExpectedForm(String handler) {
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.PYTHON, handler, null))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("handler: '" + handler + "' (runtime python expects module.function, e.g. app.handler or pkg.mod.handler)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"index.handler", "src/app.handler", "dist/v1.2/my-app.handler", "app.api.get", "app.$main"})
  void nodeHandlers(String handler) {
    assertThat(FunctionSpec.of("f", Runtime.NODE, handler, null).handler()).isEqualTo(handler);
  }

  @ParameterizedTest
  @ValueSource(strings = {"index", "index.", "src/", "index.handler()", "index.1st", "index::handler", "index.han dler"})
  void badNodeHandlersNameTheExpectedForm(String handler) {
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.NODE, handler, null))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessage("handler: '" + handler + "' (runtime node expects file.handler, e.g. index.handler or src/app.handler)");
  }

  @Test
  void anHttpAppGetsMoreMemoryAndConcurrencyByDefaultThanALambdaStyleFunctionAndWhatIsSetWins() {
    FunctionSpec web = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("serve").build();
    FunctionSpec fn = FunctionSpec.builder().name("fn").runtime(Runtime.JAVA).handler("a.B::h").build();
    assertThat(web.memoryMb()).isEqualTo(FunctionSpec.DEFAULT_HTTP_MEMORY_MB).isEqualTo(512);
    assertThat(web.concurrency()).isEqualTo(100);
    assertThat(fn.memoryMb()).isEqualTo(FunctionSpec.DEFAULT_MEMORY_MB).isEqualTo(256);
    assertThat(fn.concurrency()).isEqualTo(1);
    FunctionSpec small = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("serve").memoryMb(256).build();
    assertThat(small.memoryMb()).isEqualTo(256);
    assertThat(small.toBuilder().build().memoryMb()).isEqualTo(256);
    assertThat(web.toBuilder().memoryMb(1024).build().memoryMb()).isEqualTo(1024);
  }

  @Test
  void aWebAppServesAHundredRequestsAtOnceByDefaultAndALambdaStyleFunctionOne() {
    FunctionSpec web = FunctionSpec.builder().name("web").runtime(Runtime.HTTP).command("java -jar app.jar").build();
    FunctionSpec fn = FunctionSpec.builder().name("fn").runtime(Runtime.JAVA).handler("a.B").build();
    assertThat(web.concurrency()).isEqualTo(100);
    assertThat(fn.concurrency()).isEqualTo(1);
    // set, it is kept, whatever the runtime; and a copy keeps what the original had
    assertThat(web.toBuilder().concurrency(1).build().concurrency()).isEqualTo(1);
    assertThat(fn.toBuilder().concurrency(8).build().toBuilder().build().concurrency()).isEqualTo(8);
    assertThat(web.toBuilder().build().concurrency()).isEqualTo(100);
  }

  @Test
  void missingHandlersSayWhatTheRuntimeNeeds() {
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.PYTHON, null, null))
        .hasMessage("handler is missing (runtime python needs a handler: module.function, e.g. app.handler or pkg.mod.handler)");
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.NODE, " ", null))
        .hasMessage("handler is missing (runtime node needs a handler: file.handler, e.g. index.handler or src/app.handler)");
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.JAVA, null, null))
        .hasMessage("handler is missing (runtime java needs a handler: package.Class or package.Class::method, "
            + "e.g. com.example.Hello::handleRequest)");
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.JAVA, "a-b.C", null))
        .hasMessage("handler: 'a-b.C' (runtime java expects package.Class or package.Class::method, "
            + "e.g. com.example.Hello::handleRequest)");
  }

  @Test
  void providedTakesAnyHandlerOrNone() {
    assertThat(FunctionSpec.of("f", Runtime.PROVIDED, null, null).handler()).isNull();
    assertThat(FunctionSpec.of("f", Runtime.PROVIDED, "function.handler", null).handler()).isEqualTo("function.handler");
    assertThat(FunctionSpec.of("f", Runtime.PROVIDED, "com.example::fn/x", null).handler()).isEqualTo("com.example::fn/x");
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.PROVIDED, "two words", null))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("handler: 'two words' (runtime provided expects: no handler, or up to 128 characters without spaces");
    assertThatThrownBy(() -> FunctionSpec.of("f", Runtime.PROVIDED, "x".repeat(129), null))
        .isInstanceOf(Failure.InvalidInput.class);
  }

  @Test
  void httpNeedsACommandAndIgnoresNoHandler() {
    assertThat(FunctionSpec.of("web", Runtime.HTTP, null, "java -jar app.jar").command()).isEqualTo("java -jar app.jar");
    assertThatThrownBy(() -> FunctionSpec.of("web", Runtime.HTTP, null, null))
        .hasMessage("command is missing (runtime http needs a command that serves HTTP on $PORT)");
  }

  @Test
  void badNamesAreRefusedWhateverTheRuntime() {
    assertThatThrownBy(() -> FunctionSpec.of("Bad_Name", Runtime.PYTHON, "app.handler", null))
        .hasMessageStartingWith("name: 'Bad_Name' is not a valid function name");
  }

  @Test
  void httpAppsAreProbedOnSlashUnlessTheyNameAReadinessPath() {
    FunctionSpec app = FunctionSpec.of("web", Runtime.HTTP, null, "java -jar app.jar");
    assertThat(app.readinessPath()).isNull();
    assertThat(app.effectiveReadinessPath()).isEqualTo("/");
    FunctionSpec withPath = app.withReadinessPath("/actuator/health?probe=1");
    assertThat(withPath.effectiveReadinessPath()).isEqualTo("/actuator/health?probe=1");
    assertThat(withPath.withKeepAlive(KeepAlive.parse("keepAlive", "off")).readinessPath()).isEqualTo("/actuator/health?probe=1");
    assertThat(withPath.withScaling(ScalingSettings.UNSET).readinessPath()).isEqualTo("/actuator/health?probe=1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"healthz", "", "/a b", "/tab\there", "/caf\u00e9", "http://host/x"})
  void badReadinessPathsNameTheExpectedForm(String path) {
    FunctionSpec app = FunctionSpec.of("web", Runtime.HTTP, null, "java -jar app.jar");
    assertThatThrownBy(() -> app.withReadinessPath(path))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("readinessPath: '" + path + "' (expected: a path starting with '/'");
  }

  @Test
  void onlyHttpAppsHaveAReadinessPath() {
    FunctionSpec fn = FunctionSpec.of("f", Runtime.JAVA, "example.Hello", null);
    assertThatThrownBy(() -> fn.withReadinessPath("/healthz"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("readinessPath: '/healthz' (only runtime http has one");
  }

  @Test
  void metadataIsWhatNoInstanceSees() {
    FunctionSpec s = FunctionSpec.builder().name("f").runtime(Runtime.NODE).handler("index.handler").build();
    assertThat(s.differsOnlyInMetadata(s.toBuilder().tags(java.util.Map.of("a", "b")).description("d").role("r")
        .permissions(java.util.Map.of("x", "{}")).reservedConcurrency(2).build())).isTrue();
    assertThat(s.differsOnlyInMetadata(s.toBuilder().memoryMb(512).build())).isFalse();
    assertThat(s.differsOnlyInMetadata(s.toBuilder().env(java.util.Map.of("A", "1")).build())).isFalse();
    assertThat(s.differsOnlyInMetadata(s.toBuilder().awsRuntime("nodejs24.x").build())).as("the runtime identifier may reach the instance")
        .isFalse();
  }

  @Test
  void secretsAreReferencesByNameCheckedAtConstruction() {
    FunctionSpec spec = FunctionSpec.builder().name("app").runtime(Runtime.PYTHON).handler("app.handler")
        .secrets(java.util.Map.of("DB_PASSWORD", "db-password")).secretFiles(java.util.Map.of("tls.key", "tls-key")).build();
    assertThat(spec.usesSecrets()).isTrue();
    assertThat(spec.secretNames()).containsExactly("db-password", "tls-key");
    assertThat(FunctionSpec.of("plain", Runtime.PYTHON, "app.handler", null).usesSecrets()).isFalse();
    var b = FunctionSpec.builder().name("app").runtime(Runtime.PYTHON).handler("app.handler");
    assertThatThrownBy(() -> b.secrets(java.util.Map.of("1BAD", "x")).build()).isInstanceOf(Failure.InvalidInput.class)
        .hasMessageContaining("secrets: variable '1BAD'");
    assertThatThrownBy(() -> b.secrets(java.util.Map.of("AWS_REGION", "x")).build()).hasMessageContaining("is reserved");
    assertThatThrownBy(() -> b.secrets(java.util.Map.of("PILOTLIGHT_SECRETS_DIR", "x")).build()).hasMessageContaining("is reserved");
    assertThatThrownBy(() -> b.secrets(java.util.Map.of("A", "Not_A_Name")).build()).hasMessageContaining("names secret 'Not_A_Name'");
    assertThatThrownBy(() -> b.secrets(java.util.Map.of("A", "a")).env(java.util.Map.of("A", "1")).build())
        .hasMessageContaining("also set by env");
    b.secrets(java.util.Map.of()).env(java.util.Map.of());
    for (String file : new String[] {"../etc/passwd", "a/b", ".hidden", "", "x".repeat(129)}) {
      assertThatThrownBy(() -> b.secretFiles(java.util.Map.of(file, "a")).build()).as(file).isInstanceOf(Failure.InvalidInput.class)
          .hasMessageContaining("secretFiles: file");
    }
  }
}
