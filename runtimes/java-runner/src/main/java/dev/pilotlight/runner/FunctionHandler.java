package dev.pilotlight.runner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * A loaded handler: the method to call, how its parameters are shaped, and the instance to call it
 * on (null for a static method). {@link #run} turns one event into a response or an error document
 * and never throws, whatever the function does.
 */
final class FunctionHandler {
  /** {@code m()} */
  static final int NO_ARGS = 0;
  /** {@code m(I)} */
  static final int INPUT = 1;
  /** {@code m(I, Context)}, including {@code RequestHandler} */
  static final int INPUT_CONTEXT = 2;
  /** {@code m(InputStream, OutputStream)} */
  static final int STREAMS = 3;
  /** {@code m(InputStream, OutputStream, Context)}, including {@code RequestStreamHandler} */
  static final int STREAMS_CONTEXT = 4;

  /** The system property AWS's X-Ray SDK reads the current trace header from. */
  static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

  private static final byte[] UNREPORTABLE =
      "{\"errorMessage\":\"the function failed and its error could not be reported\",\"errorType\":\"java.lang.Error\",\"stackTrace\":[]}"
          .getBytes(StandardCharsets.UTF_8);

  /** What to post: the response body, or an error document and its header type. */
  record Outcome(boolean failed, String errorType, byte[] body) {
    static Outcome failure(Throwable error) {
      try {
        return new Outcome(true, ErrorReport.headerType(error), ErrorReport.json(error));
      } catch (Throwable unreportable) { // e.g. out of memory again
        return new Outcome(true, "Error", UNREPORTABLE);
      }
    }
  }

  private final ClassLoader loader;
  private final Object target;
  private final Method method;
  private final int shape;
  private final Type inputType;
  private final Type outputType;
  private final LambdaContexts contexts;
  /** AWS's serializer for the input, when its type is AWS's to bind ({@link AwsSerialization}); else null. */
  private final AwsSerialization.Codec inputCodec;
  /** AWS's serializer for the declared output type, when it is AWS's to write; else null. */
  private final AwsSerialization.Codec outputCodec;
  /** Made on first need: an AWS event returned where the declared type (Object…) is not one. */
  private volatile AwsSerialization.Codec dynamicOutputCodec;

  FunctionHandler(
      ClassLoader loader, Object target, Method method, int shape, Type inputType, LambdaContexts contexts) {
    this(loader, target, method, shape, inputType, Object.class, contexts, null, null);
  }

  FunctionHandler(
      ClassLoader loader,
      Object target,
      Method method,
      int shape,
      Type inputType,
      Type outputType,
      LambdaContexts contexts,
      AwsSerialization.Codec inputCodec,
      AwsSerialization.Codec outputCodec) {
    this.loader = loader;
    this.target = target;
    this.method = method;
    this.shape = shape;
    this.inputType = inputType;
    this.outputType = outputType;
    this.contexts = contexts;
    this.inputCodec = inputCodec;
    this.outputCodec = outputCodec;
  }

  ClassLoader classLoader() {
    return loader;
  }

  /** Whether this handler's declared input or output is bound by AWS's serialization. */
  boolean usesAwsSerialization() {
    return inputCodec != null || outputCodec != null;
  }

  Outcome run(Invocation invocation) {
    Thread thread = Thread.currentThread();
    thread.setContextClassLoader(loader);
    String trace = invocation.traceId();
    if (trace != null) {
      System.setProperty(TRACE_PROPERTY, trace);
    } else {
      System.clearProperty(TRACE_PROPERTY);
    }
    try {
      return new Outcome(false, null, invoke(invocation));
    } catch (Throwable error) { // anything the function throws, even an Error, is its failure
      return Outcome.failure(error);
    } finally {
      System.out.flush();
      System.err.flush();
      Thread.interrupted(); // an interrupt the function left behind is not the loop's business
      thread.setContextClassLoader(loader);
    }
  }

  private byte[] invoke(Invocation invocation) throws Throwable {
    byte[] payload = invocation.payload();
    ByteArrayOutputStream output = null;
    Object[] args;
    switch (shape) {
      case NO_ARGS:
        args = new Object[0];
        break;
      case INPUT:
        args = new Object[] {input(payload)};
        break;
      case INPUT_CONTEXT:
        args = new Object[] {input(payload), contexts.create(invocation)};
        break;
      case STREAMS:
        output = new ByteArrayOutputStream();
        args = new Object[] {new ByteArrayInputStream(payload), output};
        break;
      case STREAMS_CONTEXT:
        output = new ByteArrayOutputStream();
        args = new Object[] {new ByteArrayInputStream(payload), output, contexts.create(invocation)};
        break;
      default:
        throw new IllegalStateException("unknown handler shape " + shape);
    }
    Object result;
    try {
      result = method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    if (output != null) {
      return output.toByteArray();
    }
    if (outputCodec != null) {
      return outputCodec.write(result);
    }
    if (result != null && HandlerLoader.isEventClass(result.getClass())) {
      return awsOutputCodec().write(result);
    }
    return JsonWriter.writeUtf8(result);
  }

  /**
   * An AWS event returned through a declared type that is not one (Object, an interface): AWS's
   * runtime writes it with Jackson for the declared type, that is by the value's class without the
   * event mix-ins; so does this.
   */
  private AwsSerialization.Codec awsOutputCodec() {
    AwsSerialization.Codec codec = dynamicOutputCodec;
    if (codec == null) {
      codec = AwsSerialization.codec(outputType, loader);
      dynamicOutputCodec = codec;
    }
    return codec;
  }

  /**
   * The event as the handler's input type. A String parameter receives a JSON string's value, or
   * else the payload's text as it is (so non-JSON payloads reach it too).
   */
  private Object input(byte[] payload) {
    Class<?> raw = JsonBinder.rawClass(inputType);
    if (raw == InputStream.class) {
      return new ByteArrayInputStream(payload);
    }
    if (inputCodec != null) {
      return isBlank(payload) ? null : inputCodec.read(payload);
    }
    String text = new String(payload, StandardCharsets.UTF_8).strip();
    if (raw == String.class) {
      if (text.startsWith("\"")) {
        try {
          return JsonParser.parse(text);
        } catch (IllegalArgumentException notJson) {
          return text;
        }
      }
      return text.isEmpty() || text.equals("null") ? null : text;
    }
    return JsonBinder.bind(text.isEmpty() ? null : JsonParser.parse(text), inputType);
  }

  private static boolean isBlank(byte[] payload) {
    for (byte b : payload) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
