package dev.pilotlight.executor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Pumps one instance's stdout and stderr into the log sink line by line, tagging each line with
 * the request the instance is serving, and remembers the last lines so a crash or a failed init can
 * be explained to the caller.
 */
final class OutputCapture {
  private static final int REMEMBERED_LINES = 20;
  private final ArrayDeque<String> last = new ArrayDeque<>();
  private final Thread out;
  private final Thread err;

  OutputCapture(Process process, String function, String instanceId, InstanceLogSink sink, Supplier<String> currentRequest) {
    // Platform threads: a pipe read pins a virtual thread's carrier for as long as the instance is quiet (see PipeThreads).
    out = PipeThreads.start("out-" + instanceId, () -> pump(process.getInputStream(), function, instanceId, sink, currentRequest));
    err = PipeThreads.start("err-" + instanceId, () -> pump(process.getErrorStream(), function, instanceId, sink, currentRequest));
  }

  private void pump(InputStream in, String function, String instanceId, InstanceLogSink sink, Supplier<String> currentRequest) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        remember(line);
        try {
          sink.line(function, instanceId, currentRequest.get(), line);
        } catch (RuntimeException e) {
          // A failing log store must never stall the instance (a full pipe would block it).
        }
      }
    } catch (IOException e) {
      // The process is gone; nothing more to read.
    }
  }

  private synchronized void remember(String line) {
    if (last.size() == REMEMBERED_LINES) {
      last.removeFirst();
    }
    last.addLast(line);
  }

  /** The last non-blank line of a process's output, the one that usually says what went wrong. */
  static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1];
  }

  /** Waits briefly for the pumps to drain after the process exited, then returns the last lines. */
  String lastLines() {
    try {
      out.join(200);
      err.join(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      return String.join("\n", last);
    }
  }
}
