package dev.pilotlight.runner;

import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Loads a function the way AWS's Java runtime does: a class loader over the task root, the handler
 * class by name, its handler method, and one instance made with the no-arg constructor.
 *
 * <p>Handler kinds, tried in order: {@code RequestStreamHandler}, {@code RequestHandler<I, O>}
 * (with {@code I} read from the generic type arguments), then a public method with the given name
 * taking {@code (InputStream, OutputStream, Context)}, {@code (I, Context)}, {@code (InputStream,
 * OutputStream)}, {@code (I)} or {@code ()}, preferring that order when overloaded. The two
 * interfaces are looked up by name in the function's loader, which is where they come from.
 */
final class HandlerLoader {
  static final String REQUEST_HANDLER = "com.amazonaws.services.lambda.runtime.RequestHandler";
  static final String REQUEST_STREAM_HANDLER = "com.amazonaws.services.lambda.runtime.RequestStreamHandler";
  static final String DEFAULT_METHOD = "handleRequest";

  // Which handler types AWS's serialization binds (AwsSerialization) rather than the runner's own
  // binder: the classes of aws-lambda-java-events and types declared with them. Decided here, in a
  // class every cold start loads anyway, so that a plain function loads nothing more for it.

  static final String EVENTS_PACKAGE = "com.amazonaws.services.lambda.runtime.events.";
  /** The AWS SDK v1 class that AWS's runtime also binds with its S3 event serializer. */
  static final String SDK_V1_S3_EVENT = "com.amazonaws.services.s3.event.S3EventNotification";

  /** Whether values declared as {@code type} are bound by AWS's serialization. */
  static boolean boundByAws(Type type) {
    return mentionsEventClass(type, 0);
  }

  /** Whether {@code type} is one of AWS's event classes (or nested in one). */
  static boolean isEventClass(Class<?> type) {
    String name = type.getName();
    return name.startsWith(EVENTS_PACKAGE) || name.equals(SDK_V1_S3_EVENT);
  }

  private static boolean mentionsEventClass(Type type, int depth) {
    if (depth > 8) {
      return false;
    }
    if (type instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      return isEventClass(c);
    }
    if (type instanceof ParameterizedType p) {
      if (mentionsEventClass(p.getRawType(), depth + 1)) {
        return true;
      }
      for (Type argument : p.getActualTypeArguments()) {
        if (mentionsEventClass(argument, depth + 1)) {
          return true;
        }
      }
      return false;
    }
    if (type instanceof GenericArrayType g) {
      return mentionsEventClass(g.getGenericComponentType(), depth + 1);
    }
    if (type instanceof WildcardType w) {
      return w.getUpperBounds().length > 0 && mentionsEventClass(w.getUpperBounds()[0], depth + 1);
    }
    return false;
  }

  private HandlerLoader() {}

  /** Loads the function of {@code config}, with the code a pool runner preloaded for it when that is this function's ({@link PreloadedCode}). */
  static FunctionHandler load(RunnerConfig config) throws HandlerInitException {
    URLClassLoader preloaded = PreloadedCode.take(config.taskRoot(), config.handler());
    return load(preloaded != null ? preloaded : functionClassLoader(config.taskRoot()), config);
  }

  /** The class part of a handler setting ({@code pkg.Class::method} or {@code pkg.Class}). */
  static String className(String handler) {
    String spec = handler.strip();
    int separator = spec.indexOf("::");
    return separator >= 0 ? spec.substring(0, separator) : spec;
  }

  /** The method part of a handler setting; {@value #DEFAULT_METHOD} when it names only a class. */
  static String methodName(String handler) {
    String spec = handler.strip();
    int separator = spec.indexOf("::");
    return separator >= 0 ? spec.substring(separator + 2) : DEFAULT_METHOD;
  }

  /** How a handler that implements one of Lambda's handler interfaces is called: that interface, its method, the call's shape. */
  record InterfaceEntry(Class<?> api, Method method, int shape) {}

  /**
   * The interface method a handler of {@code type} named by {@code methodName} is called through
   * ({@code RequestStreamHandler} first, then {@code RequestHandler}, as AWS's runtime does), or null
   * when it is called by its own method. Loads and initialises nothing of the handler's.
   */
  static InterfaceEntry interfaceEntry(Class<?> type, String methodName, ClassLoader loader) throws NoSuchMethodException {
    if (!methodName.equals(DEFAULT_METHOD)) {
      return null;
    }
    Class<?> context = optionalClass(loader, LambdaContexts.CONTEXT);
    Class<?> streamHandler = optionalClass(loader, REQUEST_STREAM_HANDLER);
    if (streamHandler != null && streamHandler.isAssignableFrom(type)) {
      return new InterfaceEntry(streamHandler, streamHandler.getMethod(DEFAULT_METHOD, InputStream.class, OutputStream.class, context),
          FunctionHandler.STREAMS_CONTEXT);
    }
    Class<?> requestHandler = optionalClass(loader, REQUEST_HANDLER);
    if (requestHandler != null && requestHandler.isAssignableFrom(type)) {
      return new InterfaceEntry(requestHandler, requestHandler.getMethod(DEFAULT_METHOD, Object.class, context), FunctionHandler.INPUT_CONTEXT);
    }
    return null;
  }

  /**
   * The task root itself, its {@code *.jar}, {@code lib/*.jar} and {@code classes/}, in that order
   * (jars sorted by name), with the platform loader as parent: the runner's own classes stay out of
   * the function's namespace.
   */
  static URLClassLoader functionClassLoader(File taskRoot) throws HandlerInitException {
    return functionClassLoader(taskRoot, LibraryLayer.current());
  }

  /**
   * With a library layer, the layer's jars are left out here and the layer's loader is the parent:
   * the function's {@code lib/} is byte-for-byte the layer (the platform checked), so it resolves
   * the same classes, already loaded.
   */
  static URLClassLoader functionClassLoader(File taskRoot, LibraryLayer layer) throws HandlerInitException {
    if (!taskRoot.isDirectory()) {
      throw new HandlerInitException(
          new IllegalStateException("LAMBDA_TASK_ROOT: '" + taskRoot + "' (expected: a directory)"));
    }
    List<URL> urls = new ArrayList<>();
    try {
      urls.add(taskRoot.toURI().toURL());
      addJars(urls, taskRoot, null);
      addJars(urls, new File(taskRoot, "lib"), layer);
      File classes = new File(taskRoot, "classes");
      if (classes.isDirectory()) {
        urls.add(classes.toURI().toURL());
      }
    } catch (MalformedURLException e) {
      throw new HandlerInitException(e);
    }
    ClassLoader parent = layer != null ? layer.loader() : ClassLoader.getPlatformClassLoader();
    return new URLClassLoader(urls.toArray(new URL[0]), parent);
  }

  private static void addJars(List<URL> urls, File dir, LibraryLayer layer) throws MalformedURLException {
    String[] names = dir.list();
    if (names == null) {
      return;
    }
    Arrays.sort(names);
    for (String name : names) {
      File file = new File(dir, name);
      if (name.endsWith(".jar") && file.isFile() && (layer == null || !layer.covers(file))) {
        urls.add(file.toURI().toURL());
      }
    }
  }

  static FunctionHandler load(ClassLoader loader, RunnerConfig config) throws HandlerInitException {
    String className = className(config.handler());
    String methodName = methodName(config.handler());
    if (className.isEmpty() || methodName.isEmpty()) {
      throw new HandlerInitException(withoutTrace(new IllegalArgumentException(
          "_HANDLER: '" + config.handler() + "' (expected: pkg.Class::method or pkg.Class)")));
    }
    Thread.currentThread().setContextClassLoader(loader);
    Class<?> type = loadClass(loader, className);
    Class<?> context = optionalClass(loader, LambdaContexts.CONTEXT);

    Method method;
    int shape;
    Type inputType = Object.class;
    Type outputType = Object.class;
    try {
      InterfaceEntry entry = interfaceEntry(type, methodName, loader);
      if (entry != null) {
        method = entry.method();
        shape = entry.shape();
        if (shape == FunctionHandler.INPUT_CONTEXT) {
          inputType = TypeArguments.of(type, entry.api(), 0);
          outputType = TypeArguments.of(type, entry.api(), 1);
        }
      } else {
        method = plainMethod(type, methodName, context);
        shape = shapeOf(method, context);
        if (shape == FunctionHandler.INPUT || shape == FunctionHandler.INPUT_CONTEXT) {
          inputType = method.getGenericParameterTypes()[0];
        }
        outputType = method.getGenericReturnType();
        method.trySetAccessible(); // a public method of a non-public class
      }
    } catch (NoSuchMethodException e) {
      throw new HandlerInitException(withoutTrace(e));
    }
    Object target = Modifier.isStatic(method.getModifiers()) ? null : instantiate(type);
    LambdaContexts contexts =
        context == null
            ? null
            : new LambdaContexts(loader, context, optionalClass(loader, LambdaContexts.LOGGER), config);
    boolean takesInput = shape == FunctionHandler.INPUT || shape == FunctionHandler.INPUT_CONTEXT;
    boolean writesOutput = shape != FunctionHandler.STREAMS && shape != FunctionHandler.STREAMS_CONTEXT;
    AwsSerialization.Codec inputCodec = takesInput ? awsCodec(inputType, loader) : null;
    AwsSerialization.Codec outputCodec = writesOutput ? awsCodec(outputType, loader) : null;
    return new FunctionHandler(loader, target, method, shape, inputType, outputType, contexts, inputCodec, outputCodec);
  }

  /**
   * AWS's serializer for a handler type that is AWS's to bind, made at init as AWS's runtime makes
   * it (so a missing or broken serialization fails the init, not every event); null for every
   * other type, which costs nothing more.
   */
  static AwsSerialization.Codec awsCodec(Type type, ClassLoader loader) throws HandlerInitException {
    if (!boundByAws(type)) {
      return null;
    }
    try {
      return AwsSerialization.codec(type, loader);
    } catch (IllegalStateException e) {
      throw new HandlerInitException(withoutTrace(e));
    }
  }

  private static Class<?> loadClass(ClassLoader loader, String className) throws HandlerInitException {
    try {
      return Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new HandlerInitException(withoutTrace(new ClassNotFoundException("Class not found: " + className)));
    } catch (ExceptionInInitializerError e) {
      throw new HandlerInitException(e.getCause() != null ? e.getCause() : e);
    } catch (LinkageError e) { // NoClassDefFoundError, UnsupportedClassVersionError…
      throw new HandlerInitException(e);
    }
  }

  static Class<?> optionalClass(ClassLoader loader, String name) {
    try {
      return Class.forName(name, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static Method plainMethod(Class<?> type, String name, Class<?> context) throws NoSuchMethodException {
    Method best = null;
    int bestRank = -1;
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic()) {
        int rank = rank(shapeOf(m, context));
        if (rank > bestRank) {
          best = m;
          bestRank = rank;
        }
      }
    }
    if (best == null) {
      throw new NoSuchMethodException("No public method named " + name + " with a supported signature on class "
          + type.getName() + " (expected parameters: (InputStream, OutputStream, Context), (I, Context), "
          + "(InputStream, OutputStream), (I) or ())");
    }
    return best;
  }

  /** Overload preference: the more the signature says about Lambda, the better. */
  private static int rank(int shape) {
    switch (shape) {
      case FunctionHandler.STREAMS_CONTEXT:
        return 4;
      case FunctionHandler.INPUT_CONTEXT:
        return 3;
      case FunctionHandler.STREAMS:
        return 2;
      case FunctionHandler.INPUT:
        return 1;
      case FunctionHandler.NO_ARGS:
        return 0;
      default:
        return -1;
    }
  }

  /** The parameter shape of a method, or -1 when it is not one a handler can have. */
  private static int shapeOf(Method m, Class<?> context) {
    Class<?>[] p = m.getParameterTypes();
    switch (p.length) {
      case 0:
        return FunctionHandler.NO_ARGS;
      case 1:
        return context != null && p[0] == context ? -1 : FunctionHandler.INPUT;
      case 2:
        if (p[0] == InputStream.class && p[1] == OutputStream.class) {
          return FunctionHandler.STREAMS;
        }
        return context != null && p[1] == context ? FunctionHandler.INPUT_CONTEXT : -1;
      case 3:
        return p[0] == InputStream.class && p[1] == OutputStream.class && context != null && p[2] == context
            ? FunctionHandler.STREAMS_CONTEXT
            : -1;
      default:
        return -1;
    }
  }

  private static Object instantiate(Class<?> type) throws HandlerInitException {
    try {
      Constructor<?> constructor = type.getDeclaredConstructor();
      constructor.trySetAccessible();
      return constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new HandlerInitException(e.getCause());
    } catch (NoSuchMethodException e) {
      throw new HandlerInitException(
          withoutTrace(new NoSuchMethodException("Class " + type.getName() + " has no public no-arg constructor")));
    } catch (ReflectiveOperationException | ExceptionInInitializerError e) {
      throw new HandlerInitException(e);
    }
  }

  /** The runner's own frames say nothing about a problem in the function's package. */
  private static Throwable withoutTrace(Throwable e) {
    e.setStackTrace(new StackTraceElement[0]);
    return e;
  }
}
