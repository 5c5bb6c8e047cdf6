package dev.pilotlight.runner;

import static dev.pilotlight.runner.TestFunctions.config;
import static dev.pilotlight.runner.TestFunctions.invocation;
import static dev.pilotlight.runner.TestFunctions.load;
import static dev.pilotlight.runner.TestFunctions.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlerLoaderTest {

  @Test
  void loadsFromAPackagedTaskRootWithJarsAndLib(@TempDir Path dir) throws Exception {
    Path root = TestFunctions.packagedTaskRoot(dir);

    FunctionHandler handler = HandlerLoader.load(config("testfixtures.PlainMethods::greet", Map.of(
        "LAMBDA_TASK_ROOT", root.toString())));

    assertThat(text(handler.run(invocation("r", "{\"name\":\"Bo\"}")).body())).isEqualTo("\"hi Bo\"");
    assertThat(handler.classLoader().getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
  }

  @Test
  void loadsClassesFromTheClassesDirectoryWithoutLambdaCore(@TempDir Path dir) throws Exception {
    Path classes = dir.resolve("classes/testfixtures");
    Files.createDirectories(classes);
    Files.copy(TestFunctions.testClasses().resolve("testfixtures/Rendezvous.class"), classes.resolve("Rendezvous.class"));

    FunctionHandler handler = HandlerLoader.load(config("testfixtures.Rendezvous", Map.of(
        "LAMBDA_TASK_ROOT", dir.toString())));

    assertThat(handler).isNotNull(); // a plain handler needs no aws-lambda-java-core
  }

  @Test
  void missingClassIsAnInitErrorLikeAws() {
    assertThatThrownBy(() -> load("example.Missing::handleRequest"))
        .isInstanceOfSatisfying(HandlerInitException.class, e -> {
          assertThat(e.errorType()).isEqualTo("Runtime.BadFunctionCode");
          assertThat(e.getCause()).isInstanceOf(ClassNotFoundException.class).hasMessage("Class not found: example.Missing");
          assertThat(text(ErrorReport.json(e.getCause())))
              .startsWith("{\"errorMessage\":\"Class not found: example.Missing\",\"errorType\":\"java.lang.ClassNotFoundException\",\"stackTrace\":[");
        });
  }

  @Test
  void theRunnersOwnClassesAreNotVisibleToTheFunction() {
    assertThatThrownBy(() -> load("dev.pilotlight.runner.Main::main"))
        .isInstanceOf(HandlerInitException.class)
        .cause()
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void constructorAndStaticInitializerFailuresReportTheFunctionsException() {
    assertThatThrownBy(() -> load("testfixtures.ConstructorFails"))
        .isInstanceOf(HandlerInitException.class)
        .cause()
        .isExactlyInstanceOf(RuntimeException.class)
        .hasMessage("init failed on purpose");
    assertThatThrownBy(() -> load("testfixtures.StaticInitFails"))
        .isInstanceOf(HandlerInitException.class)
        .cause()
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("static init failed on purpose");
  }

  @Test
  void unknownMethodsAndBadHandlerStringsAreInitErrors() {
    assertThatThrownBy(() -> load("testfixtures.PlainMethods::nope"))
        .isInstanceOf(HandlerInitException.class)
        .cause()
        .isInstanceOf(NoSuchMethodException.class)
        .hasMessageStartingWith("No public method named nope");
    assertThatThrownBy(() -> load("::x"))
        .isInstanceOf(HandlerInitException.class)
        .hasMessageContaining("_HANDLER: '::x'");
  }

  @Test
  void aMissingTaskRootIsAnInitError(@TempDir Path dir) {
    assertThatThrownBy(() -> HandlerLoader.load(config("a.B", Map.of("LAMBDA_TASK_ROOT", dir.resolve("nope").toString()))))
        .isInstanceOf(HandlerInitException.class)
        .hasMessageContaining("expected: a directory");
  }
}
