package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.io.LoopbackPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's failure paths; its happy path needs a real daemon (see DemoReportTest for its output). */
class DemoCommandTest {

  @TempDir
  Path tmp;

  private Path launcher(String script) throws IOException {
    Path file = tmp.resolve("bin/pilotlight");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void aDaemonThatDiesAtStartup_showsTheEndOfItsLog() throws IOException {
    Path launcher = launcher("echo \"args: $*\"\necho 'boom: port already taken by the moon'\nexit 3");
    int port = LoopbackPorts.freePort();

    var r = CliRunner.withEnv(Map.of("PILOTLIGHT_LAUNCHER", launcher.toString(), "PILOTLIGHT_HOME", tmp.toString()))
        .run("demo", "--port", Integer.toString(port));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("error: the daemon exited with code 3 before it was ready",
        "args: serve --port " + port + " --data-dir ", "boom: port already taken by the moon");
  }

  @Test
  void aBusyPort_suggestsAnother() throws IOException {
    Path launcher = launcher("exit 0");
    try (ServerSocket busy = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      int port = busy.getLocalPort();

      var r = CliRunner.withEnv(Map.of("PILOTLIGHT_LAUNCHER", launcher.toString()))
          .run("demo", "--port", Integer.toString(port));

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).isEqualTo("error: port " + port + " is busy (is a daemon already running?); choose another with: "
          + "bin/pilotlight demo --port " + (port + 1) + "\n");
    }
  }

  @Test
  void withoutTheLauncher_explainsHowToRunIt() {
    var r = CliRunner.withEnv(Map.of()).run("demo");

    assertThat(r.exit()).isEqualTo(64);
    assertThat(r.err()).contains("demo needs PILOTLIGHT_LAUNCHER", "bin/pilotlight demo");
  }
}
