package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping a daemon the CLI started ({@code demo}) leaves nothing it started running, even what no
 * longer descends from it once it is gone: here a "daemon" that starts a process in a session of its
 * own that ignores SIGTERM (as a sandbox's namespace init does) and exits on SIGTERM without stopping it.
 */
class DaemonProcessTest {
  @TempDir
  Path dir;

  @Test
  void whatTheDaemonStartedAndLeftBehindIsKilledAfterItStops() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    Path launcher = dir.resolve("launcher");
    Files.writeString(launcher, """
        #!/bin/sh
        setsid sh -c 'trap "" TERM; echo $$ > %s; exec sleep 300' &
        trap 'exit 0' TERM
        while true; do sleep 1; done
        """.formatted(pidFile));
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
    DaemonProcess daemon = DaemonProcess.start(launcher, 0, dir);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!(Files.exists(pidFile) && !Files.readString(pidFile).isBlank()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
    assertThat(child.isAlive()).isTrue();

    daemon.stop(false);

    assertThat(daemon.isAlive()).isFalse();
    child.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(child.isAlive()).isFalse();
  }
}
