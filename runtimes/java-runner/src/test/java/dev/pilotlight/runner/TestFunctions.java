package dev.pilotlight.runner;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Loads the {@code testfixtures} handlers the way the runner loads a function. */
final class TestFunctions {
  private TestFunctions() {}

  static Path testClasses() {
    return locationOf(testfixtures.Order.class);
  }

  static Path lambdaCoreJar() {
    return locationOf(com.amazonaws.services.lambda.runtime.Context.class);
  }

  /** aws-lambda-java-events and the Joda-Time it depends on, as a function using AWS's events ships them. */
  static List<Path> eventsJars() {
    return List.of(locationOf(com.amazonaws.services.lambda.runtime.events.S3Event.class),
        locationOf(org.joda.time.DateTime.class));
  }

  /**
   * A function class loader over the compiled fixtures, aws-lambda-java-core and
   * aws-lambda-java-events (with Joda-Time), as a function's {@code lib/} would hold them.
   */
  static URLClassLoader fixtureLoader() throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(testClasses().toUri().toURL());
    urls.add(lambdaCoreJar().toUri().toURL());
    for (Path jar : eventsJars()) {
      urls.add(jar.toUri().toURL());
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  static RunnerConfig config(String handler, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("_HANDLER", handler);
    env.put("AWS_LAMBDA_FUNCTION_NAME", "probe");
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "7");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256");
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", "stream-1");
    env.putAll(extraEnv);
    return RunnerConfig.fromEnv(env);
  }

  static FunctionHandler load(String handler) throws Exception {
    return HandlerLoader.load(fixtureLoader(), config(handler, Map.of()));
  }

  static Invocation invocation(String requestId, String payload) {
    return new Invocation(
        requestId,
        System.currentTimeMillis() + 60_000,
        "arn:aws:lambda:us-east-1:000000000000:function:probe",
        null,
        null,
        null,
        payload.getBytes(StandardCharsets.UTF_8));
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * A task root laid out like a deployed package: the fixtures in {@code fixtures.jar} at the root
   * and aws-lambda-java-core in {@code lib/}.
   */
  static Path packagedTaskRoot(Path dir) throws IOException {
    Path classes = testClasses();
    try (OutputStream file = Files.newOutputStream(dir.resolve("fixtures.jar"));
        JarOutputStream jar = new JarOutputStream(file)) {
      List<Path> fixtureClasses;
      try (var paths = Files.walk(classes.resolve("testfixtures"))) {
        fixtureClasses = paths.filter(p -> p.toString().endsWith(".class")).toList();
      }
      for (Path p : fixtureClasses) {
        jar.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        jar.write(Files.readAllBytes(p));
        jar.closeEntry();
      }
    }
    Files.createDirectories(dir.resolve("lib"));
    Files.copy(lambdaCoreJar(), dir.resolve("lib").resolve("aws-lambda-java-core.jar"));
    return dir;
  }

  private static Path locationOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
