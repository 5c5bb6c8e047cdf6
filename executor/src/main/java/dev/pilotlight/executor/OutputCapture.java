package dev.pilotlight.executor;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Pumps one instance's stdout and stderr into the log sink line by line, tagging each line with
 * the request the instance is serving, and remembers the last lines so a crash or a failed init can
 * be explained to the caller.
 */
final class OutputCapture {
  private static final int REMEMBERED_LINES = 20;
  /**
   * How long the pumps of an http app that serves many requests at once let its output gather
   * after a read that emptied the pipe (see {@link Gathering}).
   */
  static final Duration GATHER = Duration.ofMillis(10);

  private final ArrayDeque<String> last = new ArrayDeque<>();
  private final Thread out;
  private final Thread err;

  /**
   * @param gather read in bulk ({@link Gathering}): for http apps that serve many requests at once,
   *     whose lines carry no request id anyway; every other instance is read as it writes, so each
   *     line is tagged with the request it was written in
   */
  OutputCapture(Process process, String function, String instanceId, InstanceLogSink sink, Supplier<String> currentRequest, boolean gather) {
    // Platform threads: a pipe read pins a virtual thread's carrier for as long as the instance is quiet (see PipeThreads).
    out = PipeThreads.start("out-" + instanceId, () -> pump(reader(process.getInputStream(), gather), function, instanceId, sink, currentRequest));
    err = PipeThreads.start("err-" + instanceId, () -> pump(reader(process.getErrorStream(), gather), function, instanceId, sink, currentRequest));
  }

  private static InputStream reader(InputStream in, boolean gather) {
    return gather ? new Gathering(in) : in;
  }

  /**
   * A pipe read in bulk: after a read that returned less than it asked for (the pipe was empty),
   * the next waits {@link #GATHER} before reading. An app that logs a line per request, read as it
   * writes, wakes the daemon once per line (a fifth of the daemon's CPU when proxying a small app
   * at full speed); read this way, at most about once per {@code GATHER}. Lines reach the log that
   * much later. A writer that fills the buffer is read again at once, so it is never held back.
   */
  static final class Gathering extends FilterInputStream {
    /** Waits while output gathers; interrupted: the read ends. */
    interface Pause {
      void pause() throws InterruptedException;
    }

    private final Pause pause;
    private boolean emptied;

    Gathering(InputStream in) {
      this(in, () -> Thread.sleep(GATHER));
    }

    Gathering(InputStream in, Pause pause) {
      super(in);
      this.pause = pause;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (emptied) {
        try {
          pause.pause();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while output gathered");
        }
      }
      int n = super.read(b, off, len);
      emptied = n >= 0 && n < len;
      return n;
    }
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
