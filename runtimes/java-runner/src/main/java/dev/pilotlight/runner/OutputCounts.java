package dev.pilotlight.runner;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Counts the bytes the runner's {@code System.out} and {@code System.err} hand to the operating
 * system, so that each answer can say how far the platform must read the instance's output before
 * the invocation ends ({@code Pilotlight-Output-Bytes: STDOUT,STDERR}): every line an invocation
 * printed is then logged as its own, even one without a newline. The streams are the JDK's own
 * arrangement (a buffered {@code PrintStream} over the file descriptor, flushed on each line) with
 * a counter at the bottom; output the JVM writes itself is not counted.
 */
final class OutputCounts {
  /** The header an answer carries. */
  static final String HEADER = "Pilotlight-Output-Bytes";

  private static Counting out;
  private static Counting err;

  private OutputCounts() {}

  /** Puts counting streams in place of {@code System.out} and {@code System.err}; once, first thing. */
  static synchronized void install() {
    if (out != null) {
      return;
    }
    out = new Counting(new FileOutputStream(FileDescriptor.out));
    err = new Counting(new FileOutputStream(FileDescriptor.err));
    System.setOut(stream(out, System.out.charset()));
    System.setErr(stream(err, System.err.charset()));
  }

  private static PrintStream stream(Counting to, Charset charset) {
    return new PrintStream(new BufferedOutputStream(to, 8192), true, charset);
  }

  /** Forgets stdout's count: what was written so far was read by the pool, not by the instance's log (after the ready line). */
  static synchronized void resetStdout() {
    if (out != null) {
      System.out.flush();
      out.count = 0;
    }
  }

  /** The header's value after flushing both streams; null when not installed (then no header is sent). */
  static String header() {
    Counting o = out;
    Counting e = err;
    if (o == null) {
      return null;
    }
    System.out.flush();
    System.err.flush();
    return o.count + "," + e.count;
  }

  /** Counts what passes to the file descriptor; the PrintStream above serialises writers. */
  private static final class Counting extends FilterOutputStream {
    volatile long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
