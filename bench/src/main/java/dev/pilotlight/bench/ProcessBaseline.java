package dev.pilotlight.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A baseline that is one process timed from spawn to exit, its stdout read in full: the Java
 * runner's {@code InvokeOnce}, a python/node handler run once, or a bare interpreter start.
 *
 * <p>It runs with the basic environment the daemon gives every instance ({@link
 * #instanceEnvironment}), not the benchmark's own: instances do not inherit the daemon's
 * environment, and variables such as {@code NODE_EXTRA_CA_CERTS} (node then reads a CA bundle at
 * start-up, ~30 ms here) would otherwise slow the baseline but not the function.
 */
final class ProcessBaseline implements PlainBaseline {
  /** The handler-once program for python: argv = [dir, module, function]. */
  static final String PYTHON_HANDLER_ONCE = "import sys, importlib; sys.path.insert(0, sys.argv[1]);"
      + " m = importlib.import_module(sys.argv[2]); print(getattr(m, sys.argv[3])({'name': '" + Expect.NAME + "'}, None))";
  /** The handler-once program for node: argv = [dir, module, function path]. */
  static final String NODE_HANDLER_ONCE = "const [dir, mod, fn] = process.argv.slice(1);"
      + " const m = require(require('path').resolve(dir, mod));"
      + " const h = fn.split('.').reduce((o, k) => o[k], m);"
      + " Promise.resolve(h({name: '" + Expect.NAME + "'}, {})).then(r => console.log(JSON.stringify(r)));";

  private final List<String> command;
  private final Map<String, String> environment;
  private final String what;
  private final boolean expectGreeting;

  ProcessBaseline(List<String> command, Map<String, String> environment, String what, boolean expectGreeting) {
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.what = what;
    this.expectGreeting = expectGreeting;
  }

  /**
   * What every instance's environment starts with (the executor's InstanceEnvironment.base, less
   * the AWS variables no start-up reads): {@code PATH} with the JDK first, {@code JAVA_HOME},
   * {@code HOME}, {@code LANG}, {@code TMPDIR}, {@code TZ}.
   */
  static Map<String, String> instanceEnvironment(Map<String, String> benchEnv, Path javaHome) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", javaHome.resolve("bin") + ":" + benchEnv.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("JAVA_HOME", javaHome.toString());
    env.put("HOME", System.getProperty("user.home"));
    env.put("LANG", benchEnv.getOrDefault("LANG", "C.UTF-8"));
    env.put("TMPDIR", System.getProperty("java.io.tmpdir"));
    env.put("TZ", ":UTC");
    return env;
  }

  /**
   * A Java handler run once in a fresh JVM by the runner's {@code InvokeOnce}, with the start-up
   * flags the runner itself uses.
   */
  static ProcessBaseline invokeOnce(Example example, BenchPaths paths, Map<String, String> env) {
    return new ProcessBaseline(List.of(paths.java().toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
        "-cp", paths.javaRunnerJar().toString(), "dev.pilotlight.runner.InvokeOnce",
        example.packageDir().toString(), example.handler(), Expect.EVENT),
        env, example.name() + " as a plain process (InvokeOnce)", true);
  }

  /** A python or node handler imported and called once with {@code {"name":"Ann"}}, its result printed. */
  static ProcessBaseline handlerOnce(Example example, Path interpreter, Map<String, String> env) {
    String handler = example.handler();
    String dir = example.packageDir().toString();
    List<String> cmd = switch (example.kind()) {
      case PYTHON -> {
        int dot = handler.lastIndexOf('.');
        requireHandler(example, dot > 0 && dot < handler.length() - 1);
        yield List.of(interpreter.toString(), "-c", PYTHON_HANDLER_ONCE, dir,
            handler.substring(0, dot).replace('/', '.'), handler.substring(dot + 1));
      }
      case NODE -> {
        // as Lambda reads it: [path/]module.function[.nested]
        int slash = handler.lastIndexOf('/');
        int dot = handler.indexOf('.', slash + 1);
        requireHandler(example, dot > slash + 1 && dot < handler.length() - 1);
        yield List.of(interpreter.toString(), "-e", NODE_HANDLER_ONCE, dir, handler.substring(0, dot), handler.substring(dot + 1));
      }
      default -> throw new IllegalArgumentException(example.kind() + " is not a python or node example");
    };
    return new ProcessBaseline(cmd, env, example.name() + " as a plain process (handler once)", true);
  }

  /** The interpreter alone: {@code python3 -c pass} or {@code node -e 0}. */
  static ProcessBaseline bareInterpreter(Example example, Path interpreter, Map<String, String> env) {
    List<String> cmd = switch (example.kind()) {
      case PYTHON -> List.of(interpreter.toString(), "-c", "pass");
      case NODE -> List.of(interpreter.toString(), "-e", "0");
      default -> throw new IllegalArgumentException(example.kind() + " is not a python or node example");
    };
    return new ProcessBaseline(cmd, env, "a bare " + interpreter.getFileName() + " start", false);
  }

  private static void requireHandler(Example example, boolean ok) {
    if (!ok) {
      throw new BenchFailure("example '" + example.name() + "': handler '" + example.handler() + "' (expected: module.function)");
    }
  }

  List<String> command() {
    return command;
  }

  @Override
  public double coldMs() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(environment);
    long start = System.nanoTime();
    Process p = pb.start();
    byte[] output = p.getInputStream().readAllBytes();
    int exit = p.waitFor();
    double ms = (System.nanoTime() - start) / 1e6;
    String text = new String(output, StandardCharsets.UTF_8);
    if (expectGreeting) {
      Expect.processGreeting(what, exit, text);
    } else if (exit != 0) {
      throw new BenchFailure(what + ": expected exit 0, got exit " + exit + ": " + Expect.abbreviate(text));
    }
    return ms;
  }

  @Override
  public Optional<PlainHttpApp> startWarm() {
    return Optional.empty();
  }
}
