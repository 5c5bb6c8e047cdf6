package dev.pilotlight.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestingHelpersTest {

  @Test
  void manualClockMovesOnlyWhenTold() {
    var clock = new ManualClock();
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(clock.advance(Duration.ofSeconds(5))).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(5));
    assertThat(clock.advanceMillis(250).toEpochMilli()).isEqualTo(clock.millis());
    clock.set(Instant.EPOCH);
    assertThat(clock.instant()).isEqualTo(Instant.EPOCH);
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).hasMessageContaining("expected: >= 0");
  }

  @Test
  void zipsAreReadableByTheJdk() throws Exception {
    assertThat(names(Zips.ofText("a.txt", "A", "dir/b.txt", "B"))).containsExactly("a.txt", "dir/b.txt");
    assertThat(names(Zips.slip())).containsExactly("ok.txt", "../evil.txt");
    assertThat(names(Zips.manyEntries(3))).containsExactly("f0", "f1", "f2");
    assertThat(Zips.bomb(10).length).isLessThan(64 * 1024);
    assertThat(names(Zips.notAZip())).isEmpty();
  }

  @Test
  void unixModeZipsAreValidAndCarryTheirModes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("modes.zip");
    Files.write(file, Zips.withUnixModes(List.of(Zips.Entry.file("bootstrap", "#!/bin/sh\n", 0755))));
    try (var zip = new ZipFile(file.toFile())) {
      var entry = zip.getEntry("bootstrap");
      assertThat(new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/sh\n");
    }
    // jdk.zipfs exposes the recorded permissions, which proves the external attributes are right.
    try (var fs = FileSystems.newFileSystem(file, Map.of("enablePosixFileAttributes", "true"))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fs.getPath("bootstrap"))))
          .isEqualTo("rwxr-xr-x");
    }
  }

  private static List<String> names(byte[] zip) throws Exception {
    List<String> names = new ArrayList<>();
    try (var in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        names.add(e.getName());
      }
    }
    return names;
  }
}
