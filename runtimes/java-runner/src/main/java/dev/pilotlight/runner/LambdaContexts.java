package dev.pilotlight.runner;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

/**
 * Makes {@code com.amazonaws.services.lambda.runtime.Context} objects as {@link Proxy} instances
 * of the interface found in the function's own class loader: the runner has no compile-time
 * dependency on aws-lambda-java-core and works without it when no handler asks for a Context.
 */
final class LambdaContexts {
  static final String CONTEXT = "com.amazonaws.services.lambda.runtime.Context";
  static final String LOGGER = "com.amazonaws.services.lambda.runtime.LambdaLogger";

  private final ClassLoader loader;
  private final Class<?> contextType;
  private final Class<?> loggerType;
  private final RunnerConfig config;
  private volatile Object logger;

  LambdaContexts(ClassLoader loader, Class<?> contextType, Class<?> loggerType, RunnerConfig config) {
    this.loader = loader;
    this.contextType = contextType;
    this.loggerType = loggerType;
    this.config = config;
  }

  Object create(Invocation invocation) {
    // The interface's own loader: a proxy class made there is shared with a pool runner's library
    // layer, which made it before the function arrived (see LibraryLayer).
    return Proxy.newProxyInstance(
        contextType.getClassLoader(), new Class<?>[] {contextType}, new ContextHandler(invocation, config, this));
  }

  /** Made on first use: generating a proxy class costs milliseconds most functions never need. */
  private Object logger() {
    Object result = logger;
    if (result == null && loggerType != null) {
      result = Proxy.newProxyInstance(loader, new Class<?>[] {loggerType}, new LoggerHandler());
      logger = result; // a race makes two equivalent loggers, which is harmless
    }
    return result;
  }

  private static final class ContextHandler implements InvocationHandler {
    private final Invocation invocation;
    private final RunnerConfig config;
    private final LambdaContexts contexts;

    ContextHandler(Invocation invocation, RunnerConfig config, LambdaContexts contexts) {
      this.invocation = invocation;
      this.config = config;
      this.contexts = contexts;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "getAwsRequestId":
          return invocation.requestId();
        case "getLogGroupName":
          return config.logGroup();
        case "getLogStreamName":
          return config.logStream();
        case "getFunctionName":
          return config.functionName();
        case "getFunctionVersion":
          return config.functionVersion();
        case "getInvokedFunctionArn":
          return invocation.invokedFunctionArn();
        case "getXrayTraceId":
          return invocation.traceId();
        case "getIdentity", "getClientContext":
          return null; // the raw headers are not parsed into the SDK's types
        case "getRemainingTimeInMillis":
          long remaining = invocation.deadlineMs() - System.currentTimeMillis();
          return Integer.valueOf((int) Math.max(0, Math.min(Integer.MAX_VALUE, remaining)));
        case "getMemoryLimitInMB":
          return Integer.valueOf(config.memoryMb());
        case "getLogger":
          return contexts.logger();
        case "toString":
          return "LambdaContext[" + invocation.requestId() + "]";
        case "hashCode":
          return Integer.valueOf(System.identityHashCode(proxy));
        case "equals":
          return Boolean.valueOf(args != null && args.length == 1 && args[0] == proxy);
        default:
          return fallback(proxy, method, args);
      }
    }
  }

  /** LambdaLogger: each {@code log} call becomes one line on stdout, which the platform captures. */
  private static final class LoggerHandler implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "log":
          if (args != null && args.length > 0) {
            log(args[0]);
          }
          return null;
        case "toString":
          return "LambdaLogger[stdout]";
        case "hashCode":
          return Integer.valueOf(System.identityHashCode(proxy));
        case "equals":
          return Boolean.valueOf(args != null && args.length == 1 && args[0] == proxy);
        default:
          return fallback(proxy, method, args);
      }
    }

    private static void log(Object message) {
      String text;
      if (message instanceof byte[] bytes) {
        text = new String(bytes, StandardCharsets.UTF_8);
      } else {
        text = String.valueOf(message);
      }
      PrintStream out = System.out;
      out.print(text.endsWith("\n") ? text : text + "\n");
      out.flush();
    }
  }

  /** Methods added to the interfaces after this runner was written: their default, else zero. */
  private static Object fallback(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.isDefault()) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    Class<?> type = method.getReturnType();
    if (!type.isPrimitive() || type == void.class) {
      return null;
    }
    if (type == boolean.class) {
      return Boolean.FALSE;
    }
    if (type == char.class) {
      return Character.valueOf('\0');
    }
    if (type == long.class) {
      return Long.valueOf(0);
    }
    if (type == double.class) {
      return Double.valueOf(0);
    }
    if (type == float.class) {
      return Float.valueOf(0);
    }
    if (type == short.class) {
      return Short.valueOf((short) 0);
    }
    if (type == byte.class) {
      return Byte.valueOf((byte) 0);
    }
    return Integer.valueOf(0);
  }
}
