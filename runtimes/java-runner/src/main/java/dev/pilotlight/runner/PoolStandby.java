package dev.pilotlight.runner;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Documented;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.StringConcatFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The warm-pool side of the runner: a JVM started before any function is known. It warms the
 * runner's own code, tells the platform it is ready (one line on stdout), then blocks until the
 * platform hands it one function (one JSON line on stdin: the function's complete environment).
 * From then on it is that function's instance for life, exactly as if it had been started with
 * that environment.
 *
 * <p>{@code System.getenv()} is immutable in Java, and functions read their settings from it; so
 * the environment is written into the JDK's own map by reflection. That needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED},
 * which the platform passes to pool JVMs only.
 */
final class PoolStandby {
  /** What the platform waits for on stdout before it counts the JVM as a pool member. */
  static final String READY_LINE = "PILOTLIGHT-POOL-READY";

  /** The task root of the function whose code a runner started for it preloads (with {@link #PRELOAD_HANDLER}). */
  static final String PRELOAD_TASK_ROOT = "PILOTLIGHT_PRELOAD_TASK_ROOT";

  /** The handler setting of that function. */
  static final String PRELOAD_HANDLER = "PILOTLIGHT_PRELOAD_HANDLER";

  /** Rounds of the warm-up invocation: enough for C1 to compile the paths every event takes. */
  static final int WARM_ROUNDS = 200;

  private PoolStandby() {}

  static boolean requested(Map<String, String> env) {
    return "1".equals(env.get("PILOTLIGHT_POOL"));
  }

  /** Warms up, announces readiness, and applies the environment the platform sends. */
  static void awaitFunction(InputStream in) throws IOException {
    warmUp();
    Map<String, String> envMap = environmentMap(); // resolved now, so the hand-over only puts
    String layer = System.getenv("PILOTLIGHT_LAYER");
    if (layer != null && !layer.isBlank()) {
      LibraryLayer.load(layer, LibraryLayer.readList(System.getenv("PILOTLIGHT_LAYER_INIT")));
    }
    // A runner started for one function revision loads its code now, initialising nothing (PreloadedCode).
    String preloadRoot = System.getenv(PRELOAD_TASK_ROOT);
    String preloadHandler = System.getenv(PRELOAD_HANDLER);
    if (preloadRoot != null && !preloadRoot.isBlank() && preloadHandler != null && !preloadHandler.isBlank()) {
      PreloadedCode.load(new File(preloadRoot), preloadHandler);
    }
    System.out.println(READY_LINE);
    OutputCounts.resetStdout(); // the pool read up to here; the instance's log reads from here
    String line = readLine(in);
    if (line == null) {
      throw new IOException("the platform closed stdin before sending a function");
    }
    Object parsed = JsonParser.parse(line);
    if (!(parsed instanceof Map<?, ?> env)) {
      throw new IOException("expected a JSON object of environment variables on stdin");
    }
    // The function's complete environment replaces the pool's (PILOTLIGHT_POOL and the layer's settings included).
    envMap.clear();
    for (Map.Entry<?, ?> e : env.entrySet()) {
      if (e.getKey() instanceof String k && e.getValue() instanceof String v) {
        envMap.put(k, v);
      }
    }
  }

  /**
   * Runs the code every cold start needs once, so the first real event does not pay for loading
   * and linking it: JSON both ways, a loopback HTTP exchange through the runner's own client (the
   * JDK's socket stack), reflection proxies and generic signatures (handler loading), a class loader
   * over a jar, and the invokedynamic bootstraps that function code commonly hits first (lambdas
   * and string concatenation). Best effort: a failure here only means a slower first call.
   */
  @SuppressWarnings("ReturnValueIgnored") // reflection calls made for their side effect: warm JDK caches
  static void warmUp() {
    String sample = "{\"version\":\"2.0\",\"rawPath\":\"/\",\"rawQueryString\":\"a=1\",\"headers\":{\"host\":\"x\"},"
        + "\"queryStringParameters\":{\"name\":\"Ann\"},\"requestContext\":{\"http\":{\"method\":\"GET\"},\"timeEpoch\":1},"
        + "\"body\":null,\"isBase64Encoded\":false,\"n\":[1,2.5,true,\"\\u00e9\"]}";
    Object event = JsonParser.parse(sample);
    JsonWriter.write(event);
    JsonWriter.write(Map.of("statusCode", 200, "body", "Hello"));
    try {
      loopbackExchange();
    } catch (IOException | RuntimeException ignored) {
      // warming is best effort
    }
    try {
      Runnable proxy = (Runnable) Proxy.newProxyInstance(PoolStandby.class.getClassLoader(),
          new Class<?>[] {Runnable.class}, (p, m, a) -> null);
      proxy.run();
      warmInterfaceCalls();
      warmAnnotations();
      HashMap.class.getGenericSuperclass();
      HashMap.class.getGenericInterfaces();
      warmConcat(String.class);
      warmConcat(String.class, String.class);
      warmConcat(String.class, Object.class);
      warmConcat(String.class, int.class);
      warmConcat(String.class, long.class);
      warmConcat(Object.class);
      warmConcat(int.class);
      warmConcat(String.class, String.class, String.class);
      URL jar = PoolStandby.class.getProtectionDomain().getCodeSource().getLocation();
      try (var loader = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader())) {
        Class.forName("dev.pilotlight.runner.Invocation", false, loader);
      }
    } catch (Throwable ignored) {
      // warming is best effort
    }
    try {
      // Repeated so the JIT compiles the hot paths (JSON, binding, HTTP framing) before a
      // function arrives; a standby has time, a cold start does not.
      for (int i = 0; i < WARM_ROUNDS; i++) {
        warmInvocation();
        JsonWriter.write(JsonParser.parse(sample));
      }
    } catch (Throwable ignored) {
      // warming is best effort
    }
    for (String name : new String[] {"RuntimeApiClient", "PollLoop", "FunctionHandler", "LambdaContexts",
        "JsonBinder", "BeanProperties", "TypeArguments", "ErrorReport", "Invocation", "HandlerLoader", "Runner"}) {
      try {
        Class.forName("dev.pilotlight.runner." + name, true, PoolStandby.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError ignored) {
        // warming is best effort
      }
    }
  }

  /**
   * Invocations through the same paths a function's take (binding the event to a generic
   * {@code Map<String, Object>}, calling by reflection, a Lambda context proxy read by the handler,
   * writing the result), on code of the runner's own: never on function code. The second stands in
   * for a {@code RequestHandler}: called through an interface method with a context, as most
   * functions are.
   */
  private static void warmInvocation() throws ReflectiveOperationException {
    Method m = PoolStandby.class.getDeclaredMethod("sampleHandler", Map.class);
    ClassLoader loader = PoolStandby.class.getClassLoader();
    Type mapType = m.getGenericParameterTypes()[0];
    byte[] event = "{\"name\":\"Ann\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},\"n\":1}".getBytes(StandardCharsets.UTF_8);
    new FunctionHandler(loader, null, m, FunctionHandler.INPUT, mapType, null)
        .run(new Invocation("warm-up", System.currentTimeMillis() + 1000, "arn", null, null, null, event));
    Method viaInterface = WarmHandler.class.getMethod("handleRequest", Object.class, WarmContext.class);
    LambdaContexts contexts = new LambdaContexts(loader, WarmContext.class, null, RunnerConfig.fromEnv(Map.of()));
    new FunctionHandler(loader, new SampleRequestHandler(), viaInterface, FunctionHandler.INPUT_CONTEXT, mapType, contexts)
        .run(new Invocation("warm-up", System.currentTimeMillis() + 1000, "arn", null, null, null, event));
  }

  /** Stands in for aws-lambda-java-core's {@code Context} (which the runner does not ship) in the warm-up. */
  public interface WarmContext {
    String getAwsRequestId();

    int getRemainingTimeInMillis();
  }

  /** Stands in for {@code RequestHandler} in the warm-up. */
  public interface WarmHandler {
    Object handleRequest(Object event, WarmContext context);
  }

  private static final class SampleRequestHandler implements WarmHandler {
    @Override
    @SuppressWarnings("unchecked")
    public Object handleRequest(Object event, WarmContext context) {
      Map<String, Object> out = sampleHandler((Map<String, Object>) event);
      out.put("requestId", context.getAwsRequestId());
      out.put("remaining", context.getRemainingTimeInMillis());
      return out;
    }
  }

  /** Shaped like {@code RequestStreamHandler.handleRequest}: three references in, nothing out. */
  interface StreamShaped {
    void handle(Object in, Object out, Object context);
  }

  /**
   * Calls interface methods by reflection with the two shapes the runner calls handlers with
   * ({@code RequestHandler}: two references in, one out; {@code RequestStreamHandler}: three in,
   * none out). The JDK spins the method handles behind a reflective interface call once per
   * shape, about 3 ms; a standby pays it instead of the first event.
   */
  private static void warmInterfaceCalls() throws ReflectiveOperationException {
    BiFunction<Object, Object, Object> request = (event, context) -> event;
    BiFunction.class.getMethod("apply", Object.class, Object.class).invoke(request, "event", "context");
    StreamShaped stream = (in, out, context) -> {};
    StreamShaped.class.getMethod("handle", Object.class, Object.class, Object.class).invoke(stream, "in", "out", "context");
  }

  /**
   * Reads annotations the way libraries do on a function's first call (Jackson, say): the JDK's
   * annotation parser and the proxies of the meta-annotations every annotation type carries
   * ({@code @Retention}, {@code @Target}, …) are made once per JVM, about 2 ms together.
   */
  @SuppressWarnings("ReturnValueIgnored") // annotations read for their side effect: parser and proxies made
  private static void warmAnnotations() {
    for (Class<?> type : new Class<?>[] {Retention.class, Target.class,
        Documented.class, Inherited.class, Repeatable.class,
        Deprecated.class, FunctionalInterface.class, SafeVarargs.class}) {
      type.getAnnotations();
    }
    Runnable.class.getAnnotation(FunctionalInterface.class);
    for (Method m : StreamShaped.class.getMethods()) {
      m.getAnnotations();
      m.getParameterAnnotations();
    }
  }

  /** The warm-up's handler: shaped like a typical function's answer. */
  static Map<String, Object> sampleHandler(Map<String, Object> event) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("statusCode", 200);
    out.put("headers", Map.of("content-type", "text/plain"));
    out.put("body", "Hello, " + event.get("name"));
    return out;
  }

  /**
   * Links a string concatenation call site of this shape, as javac emits for {@code "a" + x}: each
   * new shape costs milliseconds of method-handle spinning the first time, in whatever code hits it.
   */
  private static void warmConcat(Class<?>... args) throws Throwable {
    StringBuilder recipe = new StringBuilder("x");
    Object[] values = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      recipe.append('\u0001').append(' ');
      values[i] = args[i] == int.class ? (Object) 1 : args[i] == long.class ? (Object) 1L : "v";
    }
    StringConcatFactory.makeConcatWithConstants(MethodHandles.lookup(), "concat",
        MethodType.methodType(String.class, args), recipe.toString()).dynamicInvoker().invokeWithArguments(values);
  }

  /**
   * The Runtime API client's whole exchange over loopback, against a throwaway server thread:
   * {@code GET next} (an event with its headers), then {@code POST response} with a body on the same
   * keep-alive connection, as every cold start does first.
   */
  private static void loopbackExchange() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread serve = new Thread(() -> {
        try (Socket s = server.accept()) {
          InputStream in = s.getInputStream();
          var out = s.getOutputStream();
          skipRequest(in);
          out.write(("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: warm-up\r\nLambda-Runtime-Deadline-Ms: 1\r\n"
              + "Lambda-Runtime-Invoked-Function-Arn: arn\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}")
              .getBytes(StandardCharsets.US_ASCII));
          skipRequest(in);
          out.write("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
              .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
          // warming is best effort
        }
      }, "pool-warmup");
      serve.start();
      RuntimeApiClient api = new RuntimeApiClient("127.0.0.1:" + server.getLocalPort());
      try {
        Invocation event = api.next();
        api.respond(event.requestId(), "{\"statusCode\":200,\"body\":\"Hello\"}".getBytes(StandardCharsets.UTF_8));
      } finally {
        api.close();
      }
      try {
        serve.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Reads one HTTP request (head, then a Content-Length body) from {@code in}. */
  private static void skipRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) != -1) {
      head.append((char) b);
      if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
        break;
      }
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    in.readNBytes(length);
  }

  /**
   * The JDK's own, writable map behind {@code System.getenv()}: ProcessEnvironment's
   * StringEnvironment, which also backs what child processes inherit.
   */
  @SuppressWarnings("unchecked")
  static Map<String, String> environmentMap() throws IOException {
    try {
      Class<?> pe = Class.forName("java.lang.ProcessEnvironment");
      Field unmodifiable = pe.getDeclaredField("theUnmodifiableEnvironment");
      unmodifiable.setAccessible(true);
      Object view = unmodifiable.get(null);
      Field inner = view.getClass().getDeclaredField("m");
      inner.setAccessible(true);
      return (Map<String, String>) inner.get(view);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot set the function's environment (is the JVM started with --add-opens "
          + "java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED?): " + e, e);
    }
  }

  /** Reads one line byte by byte, so nothing after it is consumed from the stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      buf.write(b);
    }
    if (b == -1 && buf.size() == 0) {
      return null;
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
