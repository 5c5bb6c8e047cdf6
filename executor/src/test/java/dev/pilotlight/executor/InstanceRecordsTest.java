package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceRecordsTest {
  @TempDir
  Path dir;

  Process app;

  @AfterEach
  void cleanUp() {
    if (app != null) {
      app.destroyForcibly();
    }
  }

  Process sleeper() throws IOException {
    app = new ProcessBuilder("sleep", "60").start();
    return app;
  }

  @Test
  void aRecordedAppLeftRunningIsStoppedByTheNextSweepWithItsRecord() throws Exception {
    Process p = sleeper();
    InstanceRecords records = new InstanceRecords(dir);
    records.running("web-1", p.toHandle());
    assertThat(dir.resolve("web-1.pid")).exists();

    // a new daemon on the same data dir
    assertThat(new InstanceRecords(dir).sweep()).containsExactly("web-1");
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(dir.resolve("web-1.pid")).doesNotExist();
  }

  @Test
  void anEndedInstanceLeavesNoRecord() throws Exception {
    Process p = sleeper();
    InstanceRecords records = new InstanceRecords(dir);
    records.running("web-2", p.toHandle());
    records.ended("web-2");
    assertThat(new InstanceRecords(dir).sweep()).isEmpty();
    assertThat(p.isAlive()).isTrue();
  }

  @Test
  void aPidNowOwnedByAnotherProcessIsNeverTouched() throws Exception {
    Process p = sleeper();
    // the same pid, but a start time that is not this process's: the pid was reused
    Files.writeString(dir.resolve("web-3.pid"), p.pid() + " " + Instant.parse("2020-01-01T00:00:00Z") + "\n");
    Files.writeString(dir.resolve("web-4.pid"), "not a record\n");
    Files.writeString(dir.resolve("web-5.pid"), "999999999 2020-01-01T00:00:00Z\n");
    assertThat(new InstanceRecords(dir).sweep()).isEmpty();
    assertThat(p.isAlive()).isTrue();
    try (var left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void noDirectoryNothingToSweep() {
    assertThat(new InstanceRecords(dir.resolve("missing")).sweep()).isEmpty();
  }
}
