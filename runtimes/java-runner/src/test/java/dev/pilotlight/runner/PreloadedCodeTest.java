package dev.pilotlight.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pool runner started for one function revision loads its code ahead, runs none of it, and hands it to that function only. */
class PreloadedCodeTest {
  private static final String HANDLER = "testfixtures.InitCounted::handleRequest";

  @AfterEach
  void forget() {
    PreloadedCode.forget();
  }

  private static int initialisations() {
    return Integer.getInteger("testfixtures.initcounted", 0);
  }

  @Test
  void theCodeIsLoadedAndLinkedAheadButNoneOfItRunsUntilTheFunctionIsHandedOver(@TempDir Path dir) throws Exception {
    File root = TestFunctions.packagedTaskRoot(dir).toFile();
    int before = initialisations();
    // (InitCounted is a RequestHandler: its interface call is also made ready ahead, on a proxy)
    assertThat(PreloadedCode.load(root, HANDLER)).isTrue();
    assertThat(initialisations()).as("no static initialiser ran ahead").isEqualTo(before);

    // The function's jar goes away: only a loader that defined its classes ahead can still give them.
    Files.delete(dir.resolve("fixtures.jar"));
    FunctionHandler handler = HandlerLoader.load(TestFunctions.config(HANDLER, Map.of("LAMBDA_TASK_ROOT", root.toString())));
    assertThat(initialisations()).as("initialised once, at the hand-over").isEqualTo(before + 1);
    FunctionHandler.Outcome outcome = handler.run(TestFunctions.invocation("r1", "{}"));
    assertThat(new String(outcome.body(), StandardCharsets.UTF_8)).contains("initialised " + (before + 1) + " times");
    assertThat(PreloadedCode.take(root, HANDLER)).as("handed over once").isNull();
  }

  @Test
  void anotherFunctionGetsNothingPreloadedAndThePreloadedCodeIsDropped(@TempDir Path dir) throws Exception {
    File root = TestFunctions.packagedTaskRoot(dir).toFile();
    assertThat(PreloadedCode.load(root, HANDLER)).isTrue();
    assertThat(PreloadedCode.take(root, "testfixtures.Order::handleRequest")).as("another handler").isNull();
    assertThat(PreloadedCode.take(root, HANDLER)).as("dropped on the mismatch").isNull();

    assertThat(PreloadedCode.load(root, HANDLER)).isTrue();
    assertThat(PreloadedCode.take(dir.resolve("elsewhere").toFile(), HANDLER)).as("another task root").isNull();

    assertThat(PreloadedCode.load(root, HANDLER)).isTrue();
    try (URLClassLoader loader = PreloadedCode.take(root, HANDLER)) {
      assertThat(Class.forName("testfixtures.InitCounted", false, loader).getClassLoader()).isSameAs(loader);
    }
  }

  @Test
  void codeThatCannotBeLoadedLeavesNothingAndTheFunctionLoadsAsUsual(@TempDir Path dir) throws Exception {
    File root = TestFunctions.packagedTaskRoot(dir).toFile();
    assertThat(PreloadedCode.load(root, "testfixtures.Missing::handleRequest")).isFalse();
    assertThat(PreloadedCode.load(dir.resolve("no-such-dir").toFile(), HANDLER)).isFalse();
    assertThat(PreloadedCode.take(root, HANDLER)).isNull();
    FunctionHandler handler = HandlerLoader.load(TestFunctions.config(HANDLER, Map.of("LAMBDA_TASK_ROOT", root.toString())));
    assertThat(new String(handler.run(TestFunctions.invocation("r1", "{}")).body(), StandardCharsets.UTF_8)).contains("initialised");
  }
}
