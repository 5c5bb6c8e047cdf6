package dev.pilotlight.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** What every CLI command test starts from: a fake daemon, the CLI pointed at it, a temporary directory. */
abstract class AgainstFakeDaemon {
  @TempDir
  Path tmp;

  FakeDaemon daemon;
  CliRunner cli;

  @BeforeEach
  void startFakeDaemon() throws IOException {
    daemon = new FakeDaemon();
    cli = CliRunner.against(daemon.url());
  }

  @AfterEach
  void stopFakeDaemon() {
    daemon.close();
  }
}
