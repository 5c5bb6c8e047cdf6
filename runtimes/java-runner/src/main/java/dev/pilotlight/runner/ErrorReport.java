package dev.pilotlight.runner;

import java.nio.charset.StandardCharsets;

/**
 * Lambda's error document, {@code {"errorMessage", "errorType", "stackTrace": [...], "cause"}},
 * as AWS's Java runtime writes it: {@code errorType} is the exception's fully qualified class name.
 */
final class ErrorReport {
  /** Enough for any real chain; guards against causes that form a loop. */
  private static final int MAX_CAUSES = 8;

  private ErrorReport() {}

  static byte[] json(Throwable error) {
    StringBuilder sb = new StringBuilder(512);
    try {
      append(sb, error, 0);
    } catch (RuntimeException | LinkageError e) {
      // A hostile getMessage()/toString() must not take the runner down with it.
      sb.setLength(0);
      sb.append("{\"errorMessage\":");
      JsonWriter.quote(sb, error.getClass().getName());
      sb.append(",\"errorType\":");
      JsonWriter.quote(sb, error.getClass().getName());
      sb.append(",\"stackTrace\":[]}");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code Lambda-Runtime-Function-Error-Type} header value: the simple class name. */
  static String headerType(Throwable error) {
    String simple = error.getClass().getSimpleName();
    return simple.isEmpty() ? error.getClass().getName() : simple;
  }

  private static void append(StringBuilder sb, Throwable error, int depth) {
    String message = error.getMessage();
    sb.append("{\"errorMessage\":");
    JsonWriter.quote(sb, message != null ? message : error.getClass().getName());
    sb.append(",\"errorType\":");
    JsonWriter.quote(sb, error.getClass().getName());
    sb.append(",\"stackTrace\":[");
    StackTraceElement[] frames = error.getStackTrace();
    int end = userFrames(frames);
    for (int i = 0; i < end; i++) {
      if (i > 0) {
        sb.append(',');
      }
      JsonWriter.quote(sb, frames[i].toString());
    }
    sb.append(']');
    Throwable cause = error.getCause();
    if (cause != null && cause != error && depth < MAX_CAUSES) {
      sb.append(",\"cause\":");
      append(sb, cause, depth + 1);
    }
    sb.append('}');
  }

  /**
   * The frames up to where reflection called into the function: what lies below is the runner,
   * which says nothing about the user's bug. A trace that starts inside the runner is kept whole.
   */
  private static int userFrames(StackTraceElement[] frames) {
    if (frames.length == 0 || isRunnerSide(frames[0].getClassName())) {
      return frames.length;
    }
    for (int i = 1; i < frames.length; i++) {
      if (isRunnerSide(frames[i].getClassName())) {
        return i;
      }
    }
    return frames.length;
  }

  private static boolean isRunnerSide(String cls) {
    return cls.startsWith("jdk.internal.reflect.")
        || cls.startsWith("java.lang.reflect.")
        || cls.startsWith("java.lang.invoke.")
        || cls.startsWith("dev.pilotlight.runner.");
  }
}
