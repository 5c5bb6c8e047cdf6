package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpretersTest {
  @TempDir Path tmp;

  private Path executable(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  @Test
  void takesTheFirstExecutableOnThePath() throws IOException {
    Files.createDirectories(tmp.resolve("a"));
    Files.writeString(tmp.resolve("a/python3"), "not executable");
    Path b = executable(tmp.resolve("b/python3"), "\u007fELF");
    executable(tmp.resolve("c/python3"), "\u007fELF");
    String path = tmp.resolve("a") + "::" + tmp.resolve("b") + ":" + tmp.resolve("c");
    assertThat(Interpreters.locate(null, "PILOTLIGHT_PYTHON", "python3", path, List.of())).isEqualTo(b);
    assertThat(Interpreters.locate(null, "PILOTLIGHT_PYTHON", "python3", tmp.resolve("none").toString(), List.of())).isNull();
    assertThat(Interpreters.locate(null, "PILOTLIGHT_PYTHON", "python3", null, List.of())).isNull();
  }

  @Test
  void aConfiguredInterpreterWinsAndMustBeExecutable() throws IOException {
    Path mine = executable(tmp.resolve("opt/python3.13"), "\u007fELF");
    assertThat(Interpreters.locate(mine.toString(), "PILOTLIGHT_PYTHON", "python3", null, List.of())).isEqualTo(mine);
    assertThat(Interpreters.locate("python3.13", "PILOTLIGHT_PYTHON", "python3", tmp.resolve("opt").toString(), List.of()))
        .isEqualTo(mine);
    assertThatThrownBy(() -> Interpreters.locate(tmp.resolve("nope").toString(), "PILOTLIGHT_PYTHON", "python3", null, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PILOTLIGHT_PYTHON: " + tmp.resolve("nope") + " (expected: an executable file, or a command on the PATH)");
  }

  @Test
  void aShimIsAskedOnceForTheBinaryItRuns() throws IOException {
    Path real = executable(tmp.resolve("versions/3.12/bin/python3"), "\u007fELF");
    Path shim = executable(tmp.resolve("shims/python3"), "#!/bin/sh\necho " + real + "\n");
    assertThat(Interpreters.locate(null, "PILOTLIGHT_PYTHON", "python3", tmp.resolve("shims").toString(), List.of("-c", "x")))
        .isEqualTo(real);

    executable(shim, "#!/bin/sh\nexit 3\n");
    assertThat(Interpreters.locate(null, "PILOTLIGHT_PYTHON", "python3", tmp.resolve("shims").toString(), List.of("-c", "x")))
        .isEqualTo(shim);
  }
}
