package dev.pilotlight.executor;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Pumps one instance's stdout and stderr into the log sink line by line, tagging each line with
 * the request the instance is serving, and remembers the last lines so a crash or a failed init can
 * be explained to the caller.
 *
 * <p>Nothing an invocation printed is lost or given to another: Pilotlight's runtimes say with
 * each answer how many bytes they had written to stdout and stderr (flushed before the answer, see
 * {@link #caughtUp}), and the answer is passed on only once the pumps have read that far, its last
 * line too when it had no newline. Reading is done by the pumps alone (a pipe has one reader), and
 * lines reach the sink under this object's lock, in the order they were written on each stream.
 */
final class OutputCapture {
  private static final int REMEMBERED_LINES = 20;
  /** Longest line kept whole; a longer one is cut into lines of this many bytes (a stream with no newline cannot hold the daemon's memory). */
  static final int MAX_LINE_BYTES = 256 * 1024;
  /** How long an answer waits at most for the output its runtime said it wrote (a count the pumps never reach, e.g. output of the JVM itself). */
  static final Duration CATCH_UP_LIMIT = Duration.ofMillis(500);
  /**
   * How long the pumps of an http app that serves many requests at once let its output gather
   * after a read that emptied the pipe (see {@link Gathering}).
   */
  static final Duration GATHER = Duration.ofMillis(10);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final ScheduledExecutorService LIMITS = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().daemon().name("output-catch-up").factory());

  private final ArrayDeque<String> last = new ArrayDeque<>();
  private final String function;
  private final String instanceId;
  private final InstanceLogSink sink;
  private final Supplier<String> currentRequest;
  private final Stream stdout = new Stream();
  private final Stream stderr = new Stream();
  /** Answers waiting for the pumps to reach what their runtime wrote; guarded by this. */
  private final List<Waiter> waiters = new ArrayList<>(2);
  private boolean ended; // both pumps have reached the end of their streams; guarded by this
  private final Thread out;
  private final Thread err;

  /** One stream's reading position and the line it is in the middle of; guarded by the capture. */
  private static final class Stream {
    long consumed;
    byte[] partial = new byte[128];
    int partialLength;
    boolean closed;
    /** Set when the stream also carries framed log records (see {@link TelemetryFrames}). */
    TelemetryFrames frames;
  }

  /** An answer of {@code requestId} waiting for its output: every line ending within these counts is the request's. */
  private record Waiter(String requestId, long stdoutBytes, long stderrBytes, CompletableFuture<Void> done) {
    long bound(Stream s, Stream stdout) {
      return s == stdout ? stdoutBytes : stderrBytes;
    }
  }

  /**
   * @param gather read in bulk ({@link Gathering}): for http apps that serve many requests at once,
   *     whose lines carry no request id anyway; every other instance is read as it writes, so each
   *     line is tagged with the request it was written in
   */
  OutputCapture(Process process, String function, String instanceId, InstanceLogSink sink, Supplier<String> currentRequest, boolean gather) {
    this(process, function, instanceId, sink, currentRequest, gather, false);
  }

  /**
   * @param framedStderr whether stderr also carries the framed log records of AWS's runtime
   *     interface clients ({@code _LAMBDA_TELEMETRY_LOG_FD=2}, see {@link TelemetryFrames}): each is
   *     logged as one line
   */
  OutputCapture(Process process, String function, String instanceId, InstanceLogSink sink, Supplier<String> currentRequest, boolean gather,
      boolean framedStderr) {
    if (framedStderr) {
      stderr.frames = new TelemetryFrames();
    }
    this.function = function;
    this.instanceId = instanceId;
    this.sink = sink;
    this.currentRequest = currentRequest;
    // Platform threads: a pipe read pins a virtual thread's carrier for as long as the instance is quiet (see PipeThreads).
    out = PipeThreads.start("out-" + instanceId, () -> pump(reader(process.getInputStream(), gather), stdout));
    err = PipeThreads.start("err-" + instanceId, () -> pump(reader(process.getErrorStream(), gather), stderr));
  }

  private static InputStream reader(InputStream in, boolean gather) {
    return gather ? new Gathering(in) : in;
  }

  /**
   * Completes once the pumps have read {@code stdoutBytes} of stdout and {@code stderrBytes} of
   * stderr (counted from the instance's start, or from a pool runner's ready line for stdout) and
   * logged every line in them as {@code requestId}'s, a last line without newline included,
   * whatever request the instance serves by then; at once if they have, after
   * {@link #CATCH_UP_LIMIT} at most, and at once when the streams have ended. Completed on
   * whichever thread gets there: the caller's, or a pump's.
   */
  CompletableFuture<Void> caughtUp(String requestId, long stdoutBytes, long stderrBytes) {
    CompletableFuture<Void> done;
    synchronized (this) {
      if (ended || stdout.consumed >= stdoutBytes && stderr.consumed >= stderrBytes) {
        flushPartials(requestId);
        return DONE;
      }
      done = new CompletableFuture<>();
      waiters.add(new Waiter(requestId, stdoutBytes, stderrBytes, done));
    }
    var limit = LIMITS.schedule(() -> {
      synchronized (this) {
        waiters.removeIf(w -> w.done() == done);
        flushPartials(requestId);
      }
      done.complete(null);
    }, CATCH_UP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    done.whenComplete((x, t) -> limit.cancel(false));
    return done;
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

  private void pump(InputStream in, Stream stream) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        List<CompletableFuture<Void>> ready = read(stream, buf, n);
        ready.forEach(f -> f.complete(null)); // outside the lock: what follows an answer runs here
      }
    } catch (IOException e) {
      // The process is gone; nothing more to read.
    }
    List<CompletableFuture<Void>> released = new ArrayList<>();
    synchronized (this) {
      if (stream.partialLength > 0) {
        emit(stream.partial, 0, stream.partialLength, tag(stream, stream.consumed));
        stream.partialLength = 0;
      }
      stream.closed = true;
      if (stdout.closed && stderr.closed) {
        ended = true;
        waiters.forEach(w -> released.add(w.done()));
        waiters.clear();
      }
    }
    released.forEach(f -> f.complete(null));
  }

  /** Logs the complete lines in {@code buf[0, n)}, keeps the rest as the stream's partial line; returns the answers that may go now. */
  private synchronized List<CompletableFuture<Void>> read(Stream s, byte[] buf, int n) {
    if (s.frames == null) {
      lines(s, buf, 0, n, s.consumed);
    } else {
      long base = s.consumed;
      s.frames.feed(buf, n, new TelemetryFrames.Parts() {
        @Override
        public void text(byte[] bytes, int from, int to) {
          // the text of a frame-like start that was none is not in buf: its place is near enough
          lines(s, bytes, from, to, bytes == buf ? base + from : base);
        }

        @Override
        public void record(byte[] message, int length, long timestampMicros, int end) {
          emit(message, 0, trimNewline(message, length), tag(s, base + end));
        }
      });
    }
    s.consumed += n;
    if (waiters.isEmpty()) {
      return List.of();
    }
    List<CompletableFuture<Void>> ready = new ArrayList<>(1);
    for (var it = waiters.iterator(); it.hasNext();) {
      Waiter w = it.next();
      if (stdout.consumed >= w.stdoutBytes() && stderr.consumed >= w.stderrBytes()) {
        it.remove();
        flushPartials(w.requestId());
        ready.add(w.done());
      }
    }
    return ready;
  }

  /** A record's message without the newline it may end with (the record is the line). */
  private static int trimNewline(byte[] message, int length) {
    return length > 0 && message[length - 1] == '\n' ? length - 1 : length;
  }

  /**
   * Logs the complete lines in {@code buf[from, to)} — the first continuing the stream's partial
   * line — and keeps the rest as the stream's partial line; {@code position} is where {@code buf[from]}
   * is in the stream. Under the lock.
   */
  private void lines(Stream s, byte[] buf, int from, int to, long position) {
    long offset = position - from; // the stream position of buf[i] is offset + i
    int start = from;
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        String tag = tag(s, offset + i + 1);
        if (s.partialLength > 0) {
          append(s, buf, start, i, tag, offset);
          emit(s.partial, 0, s.partialLength, tag);
          s.partialLength = 0;
        } else {
          emit(buf, start, i, tag);
        }
        start = i + 1;
      }
    }
    if (start < to) {
      append(s, buf, start, to, null, offset);
    }
  }

  /** Adds {@code buf[from, to)} to the stream's partial line; a line past {@link #MAX_LINE_BYTES} is logged as it stands. */
  private void append(Stream s, byte[] buf, int from, int to, String tag, long offset) {
    int len = to - from;
    if (s.partialLength + len > MAX_LINE_BYTES) {
      String t = tag != null ? tag : tag(s, offset + from);
      emit(s.partial, 0, s.partialLength, t);
      s.partialLength = 0;
      while (len > MAX_LINE_BYTES) {
        emit(buf, from, from + MAX_LINE_BYTES, t);
        from += MAX_LINE_BYTES;
        len -= MAX_LINE_BYTES;
      }
    }
    if (s.partialLength + len > s.partial.length) {
      s.partial = Arrays.copyOf(s.partial, Math.max(s.partial.length * 2, s.partialLength + len));
    }
    System.arraycopy(buf, from, s.partial, s.partialLength, len);
    s.partialLength += len;
  }

  /** {@code requestId}'s output ends here: a line it left without a newline is its last line. Under the lock. */
  private void flushPartials(String requestId) {
    for (Stream s : new Stream[] {stdout, stderr}) {
      if (s.partialLength > 0) {
        emit(s.partial, 0, s.partialLength, requestId);
        s.partialLength = 0;
      }
    }
  }

  /**
   * The request a line ending at {@code position} of {@code s} belongs to: the first answered
   * request still waiting whose output reaches that far, else the one the instance serves now.
   */
  private String tag(Stream s, long position) {
    for (Waiter w : waiters) {
      if (position <= w.bound(s, stdout)) {
        return w.requestId();
      }
    }
    return currentRequest.get();
  }

  /** Logs {@code buf[from, to)} as one line (a CRLF's CR dropped), tagged {@code requestId}. Under the lock. */
  private void emit(byte[] buf, int from, int to, String requestId) {
    if (to > from && buf[to - 1] == '\r') {
      to--;
    }
    String line = new String(buf, from, to - from, StandardCharsets.UTF_8);
    remember(line);
    try {
      sink.line(function, instanceId, requestId, line);
    } catch (RuntimeException e) {
      // A failing log store must never stall the instance (a full pipe would block it).
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
