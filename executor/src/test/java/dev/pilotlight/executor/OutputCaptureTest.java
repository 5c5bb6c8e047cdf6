package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

  @Test
  void readsAQuietInstancesPipesOnPlatformThreads() throws Exception {
    // A process that prints one line on each stream, then stays quiet until its stdin closes: its readers block meanwhile.
    Process p = new ProcessBuilder("/bin/sh", "-c", "echo out-line; echo err-line >&2; cat >/dev/null").start();
    List<String> lines = new CopyOnWriteArrayList<>();
    try {
      OutputCapture capture = new OutputCapture(p, "fn", "fn-7", (f, id, req, line) -> lines.add(f + " " + id + " " + req + " " + line),
          () -> "req-1", false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (lines.size() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(lines).containsExactlyInAnyOrder("fn fn-7 req-1 out-line", "fn fn-7 req-1 err-line");
      // Thread.getAllStackTraces lists platform threads only: blocked pipe readers must be among them (a virtual
      // thread blocked in a pipe read holds its carrier; see PipeThreads).
      assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).contains("out-fn-7", "err-fn-7");
      p.getOutputStream().close();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(capture.lastLines()).contains("out-line", "err-line");
    } finally {
      p.destroyForcibly();
    }
  }
  /**
   * A process whose output is held back (a pipe written by {@code cat} from a FIFO-like stdin we
   * control): what it wrote before an answer belongs to that answer's request, even when the
   * instance has been handed the next request by the time the capture reads it, and a last line
   * without a newline is logged as the request's own line.
   */
  @Test
  void anAnswerWaitsForItsOutputAndKeepsItsLinesWhateverComesNext() throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", "cat; cat >&2 </dev/null").start();
    List<String> lines = new CopyOnWriteArrayList<>();
    String[] current = {"req-1"};
    try {
      OutputCapture capture = new OutputCapture(p, "fn", "fn-9", (f, id, req, line) -> lines.add(req + " " + line), () -> current[0], false);
      // the answer of req-1 says 12 bytes were written to stdout; none has arrived yet
      var answered = capture.caughtUp("req-1", 12, 0);
      assertThat(answered).isNotDone();
      current[0] = "req-2"; // the instance takes the next request meanwhile
      p.getOutputStream().write("one\ntwo\nabc".getBytes(StandardCharsets.UTF_8)); // 11 bytes: not there yet
      p.getOutputStream().flush();
      Thread.sleep(200);
      assertThat(answered).isNotDone();
      p.getOutputStream().write("d".getBytes(StandardCharsets.UTF_8)); // the 12th: "abcd" has no newline
      p.getOutputStream().flush();
      answered.get(5, TimeUnit.SECONDS);
      assertThat(lines).containsExactly("req-1 one", "req-1 two", "req-1 abcd");
      // already read: at once
      assertThat(capture.caughtUp("req-2", 12, 0)).isDone();
      p.getOutputStream().write("three\n".getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (lines.size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(lines).last().isEqualTo("req-2 three");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aCountTheOutputNeverReachesDoesNotHoldTheAnswerLongerThanTheLimit() throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", "cat >/dev/null").start();
    try {
      OutputCapture capture = new OutputCapture(p, "fn", "fn-10", (f, id, req, line) -> { }, () -> null, false);
      var answered = capture.caughtUp("req-1", 1_000, 0);
      assertThat(answered).isNotDone();
      answered.get(5, TimeUnit.SECONDS); // released by the limit
      // an instance whose streams have ended releases answers at once
      p.getOutputStream().close();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!capture.caughtUp("req-2", 1_000, 1_000).isDone() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(capture.caughtUp("req-3", 5_000, 5_000)).isDone();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void anInstanceServingManyAtOnceIsReadInBulkWithEveryLineInOrder() throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done").start();
    List<String> lines = new CopyOnWriteArrayList<>();
    try {
      OutputCapture capture = new OutputCapture(p, "fn", "fn-8", (f, id, req, line) -> lines.add(line), () -> null, true);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (lines.size() < 2000 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(lines).hasSize(2000).startsWith("line 0", "line 1").endsWith("line 1999");
      assertThat(capture.lastLines()).endsWith("line 1999");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void gatheringWaitsOnlyAfterAReadThatEmptiedThePipe() throws Exception {
    // a pipe that has 3 bytes at the first read, 4 at the second, 2 at the third, then ends
    byte[] data = "abcdefghi".getBytes(StandardCharsets.US_ASCII);
    int[] chunks = {3, 4, 2};
    InputStream source = new InputStream() {
      int at;
      int chunk;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (chunk == chunks.length) {
          return -1;
        }
        int n = Math.min(len, chunks[chunk++]);
        System.arraycopy(data, at, b, off, n);
        at += n;
        return n;
      }
    };
    List<String> events = new ArrayList<>();
    var in = new OutputCapture.Gathering(source, () -> events.add("pause"));
    byte[] buf = new byte[4];
    for (int n; (n = in.read(buf, 0, 4)) >= 0; ) {
      events.add(new String(buf, 0, n, StandardCharsets.US_ASCII));
    }
    // 3 < 4 emptied the pipe: wait before the next read; 4 filled the buffer: read again at once
    assertThat(events).containsExactly("abc", "pause", "defg", "hi", "pause");
  }

  /** A provided runtime's stderr with AWS's framed log records among its text: each record is one line, a record without newline too. */
  @Test
  void framedRecordsOnStderrAreLinesOfTheirOwn() throws Exception {
    Process p = new ProcessBuilder("/bin/sh", "-c", "cat >&2").start();
    List<String> lines = new CopyOnWriteArrayList<>();
    try {
      OutputCapture capture = new OutputCapture(p, "fn", "fn-3", (f, id, req, line) -> lines.add(req + " " + line), () -> "req-1", false, true);
      p.getOutputStream().write(TelemetryFramesTest.concat(TelemetryFramesTest.utf8("plain\n"), TelemetryFramesTest.frame("one", 1),
          TelemetryFramesTest.frame("two\n", 2), TelemetryFramesTest.utf8("end\n")));
      p.getOutputStream().close();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      capture.lastLines();
      assertThat(lines).containsExactly("req-1 plain", "req-1 one", "req-1 two", "req-1 end");
    } finally {
      p.destroyForcibly();
    }
  }
}
