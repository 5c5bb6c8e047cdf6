package dev.pilotlight.runner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSource;
import java.util.List;

/**
 * AWS's own serialization ({@code com.amazonaws:aws-lambda-java-serialization}, Jackson with AWS's
 * mix-ins, naming strategies, base64 {@code ByteBuffer}s and Joda/java.time modules, shaded in one
 * jar), for the types the runner's own binder cannot bind as AWS does: the classes of {@code
 * aws-lambda-java-events} and anything declared with them.
 *
 * <p>The jar ships in the distribution beside the runner ({@code runtimes/java-events/}), never on
 * the runner's class path: it is loaded by a class loader of its own the first time a handler
 * declares such a type, during that function's init (as AWS's runtime builds its serializers
 * then). Which types those are, {@link HandlerLoader#boundByAws} says; functions with plain POJO, Map, String
 * or stream types never load this class.
 *
 * <p>A serializer is chosen as AWS's runtime interface client chooses it: {@code
 * LambdaEventSerializers.serializerFor} for the event classes it lists (S3, SQS, SNS, Kinesis, Lex,
 * DynamoDB…), {@code JacksonFactory}'s mapper for every other type (API Gateway, ALB, Cognito,
 * Kinesis Analytics… and their responses).
 */
final class AwsSerialization {
  /** Where the jar is, relative to the directory that holds the runner's jar (or classes). */
  static final String JAR_PATH = "java-events/aws-lambda-java-serialization.jar";

  /** Overrides the jar's location (tests, unusual installations). */
  static final String JAR_PROPERTY = "pilotlight.awsSerializationJar";

  private static final String PACKAGE = "com.amazonaws.services.lambda.runtime.serialization.";

  private static volatile Library library;

  private AwsSerialization() {}

  /**
   * AWS's serializer for {@code type}, made as AWS's runtime makes it; {@code functionLoader} is
   * the function's class loader, where the event classes (and Joda-Time, when used) come from.
   *
   * @throws IllegalStateException if the jar is not where the distribution puts it
   */
  static Codec codec(Type type, ClassLoader functionLoader) {
    Library lib = library(functionLoader);
    try {
      Object serializer = null;
      if (type instanceof Class<?> c && (Boolean) lib.isSupportedEvent.invoke(null, c.getName())) {
        serializer = lib.serializerFor.invoke(null, c, functionLoader);
      }
      if (serializer == null) {
        serializer = lib.jacksonSerializer.invoke(lib.jacksonFactory(), type);
      }
      return new Codec(lib, serializer, type);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw new IllegalStateException(
          "AWS's serialization cannot make a serializer for " + type.getTypeName() + ": " + cause, cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("AWS's serialization is not usable: " + e, e);
    }
  }

  /** The jar this runner uses: {@value #JAR_PROPERTY} if set, else {@value #JAR_PATH} beside the runner. */
  static File jar() {
    String configured = System.getProperty(JAR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return new File(configured);
    }
    CodeSource source = AwsSerialization.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return new File(JAR_PATH);
    }
    try {
      File runner = new File(source.getLocation().toURI());
      File dir = runner.getParentFile();
      return new File(dir, JAR_PATH);
    } catch (URISyntaxException | IllegalArgumentException e) {
      return new File(JAR_PATH);
    }
  }

  /**
   * The library loaded for {@code functionLoader}. AWS's serialization keeps static caches of the
   * customer's classes by name (it is made for one function per process, as a runner is); a JVM
   * that binds for a second function loader (tests) gets a fresh copy rather than the first
   * loader's classes.
   */
  private static Library library(ClassLoader functionLoader) {
    Library lib = library;
    if (lib == null || !lib.serves(functionLoader)) {
      synchronized (AwsSerialization.class) {
        lib = library;
        if (lib == null || !lib.serves(functionLoader)) {
          lib = Library.load(jar(), functionLoader);
          library = lib;
        }
      }
    }
    return lib;
  }

  /** The loaded jar and the entry points the runner calls, found once by reflection. */
  static final class Library {
    final Method isSupportedEvent;
    final Method serializerFor;
    final Method jacksonInstance;
    final Method jacksonSerializer;
    final Method fromJson;
    final Method toJson;
    private final WeakReference<ClassLoader> functionLoader;

    private Library(ClassLoader loader, ClassLoader functionLoader) throws ReflectiveOperationException {
      this.functionLoader = new WeakReference<>(functionLoader);
      Class<?> events = Class.forName(PACKAGE + "events.LambdaEventSerializers", true, loader);
      isSupportedEvent = events.getMethod("isLambdaSupportedEvent", String.class);
      serializerFor = events.getMethod("serializerFor", Class.class, ClassLoader.class);
      Class<?> factory = Class.forName(PACKAGE + "factories.JacksonFactory", false, loader);
      jacksonInstance = factory.getMethod("getInstance");
      jacksonSerializer = factory.getMethod("getSerializer", Type.class);
      Class<?> pojo = Class.forName(PACKAGE + "PojoSerializer", false, loader);
      fromJson = pojo.getMethod("fromJson", java.io.InputStream.class);
      toJson = pojo.getMethod("toJson", Object.class, java.io.OutputStream.class);
    }

    /**
     * AWS's shared Jackson mapper, made on first need: about half of the load's cost, which a
     * function whose types AWS binds otherwise (S3's own serializer) does not pay.
     */
    Object jacksonFactory() throws InvocationTargetException, IllegalAccessException {
      return jacksonInstance.invoke(null);
    }

    boolean serves(ClassLoader loader) {
      return functionLoader.get() == loader;
    }

    static Library load(File jar, ClassLoader functionLoader) {
      if (!jar.isFile()) {
        throw new IllegalStateException("AWS's aws-lambda-java-serialization is not at " + jar
            + " (Pilotlight's distribution ships it there; it binds the aws-lambda-java-events types)");
      }
      URL url;
      try {
        url = jar.toURI().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalStateException("cannot load " + jar + ": " + e, e);
      }
      // The platform loader as parent: the runner's classes stay invisible to it, as they do to the function.
      URLClassLoader loader = new URLClassLoader(new URL[] {url}, ClassLoader.getPlatformClassLoader());
      try {
        return new Library(loader, functionLoader);
      } catch (ReflectiveOperationException | LinkageError e) {
        throw new IllegalStateException("cannot load AWS's serialization from " + jar + ": " + e, e);
      }
    }
  }

  /** One type's serializer: JSON bytes to an object and back, with failures that name the type and field. */
  static final class Codec {
    private final Library lib;
    private final Object serializer;
    private final Type type;

    Codec(Library lib, Object serializer, Type type) {
      this.lib = lib;
      this.serializer = serializer;
      this.type = type;
    }

    Type type() {
      return type;
    }

    /**
     * @throws IllegalArgumentException naming the type and the field when the JSON does not bind
     */
    Object read(byte[] json) {
      try {
        return lib.fromJson.invoke(serializer, new ByteArrayInputStream(json));
      } catch (InvocationTargetException e) {
        throw failure("cannot bind the event to ", e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * @throws IllegalArgumentException naming the type and the field when the value cannot be written
     */
    byte[] write(Object value) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      try {
        lib.toJson.invoke(serializer, value, out);
      } catch (InvocationTargetException e) {
        throw failure("cannot write the response as ", e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
      return out.toByteArray();
    }

    private IllegalArgumentException failure(String what, Throwable error) {
      Throwable jackson = jacksonError(error);
      String path = jackson != null ? path(jackson) : "";
      String detail = jackson != null ? originalMessage(jackson) : String.valueOf(error.getMessage());
      StringBuilder message = new StringBuilder(what).append(type.getTypeName());
      if (!path.isEmpty()) {
        message.append(", field '").append(path).append('\'');
      }
      message.append(": ").append(detail);
      return new IllegalArgumentException(message.toString(), error);
    }

    /** Jackson's JsonProcessingException in the chain (shaded, so found by its methods), or null. */
    private static Throwable jacksonError(Throwable error) {
      for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
        if (t.getClass().getName().contains(".jackson.")) {
          return t;
        }
      }
      return null;
    }

    /** {@code Records[0].kinesis.data} from Jackson's reference chain. */
    private static String path(Throwable jackson) {
      StringBuilder sb = new StringBuilder();
      try {
        Method getPath = jackson.getClass().getMethod("getPath");
        for (Object reference : (List<?>) getPath.invoke(jackson)) {
          Class<?> refType = reference.getClass();
          String field = (String) refType.getMethod("getFieldName").invoke(reference);
          int index = (Integer) refType.getMethod("getIndex").invoke(reference);
          if (field != null) {
            if (sb.length() > 0) {
              sb.append('.');
            }
            sb.append(field);
          } else if (index >= 0) {
            sb.append('[').append(index).append(']');
          }
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // not a mapping error (a parse error has no path): the message says where
      }
      return sb.toString();
    }

    private static String originalMessage(Throwable jackson) {
      try {
        Object message = jackson.getClass().getMethod("getOriginalMessage").invoke(jackson);
        if (message != null) {
          return message.toString();
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // fall back to the full message
      }
      return String.valueOf(jackson.getMessage());
    }
  }
}
