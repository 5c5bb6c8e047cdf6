package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

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
          () -> "req-1");
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
}
