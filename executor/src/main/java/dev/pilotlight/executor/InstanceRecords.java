package dev.pilotlight.executor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One small file per running {@code http} instance ({@code <id>.pid}: its app's pid and start
 * time), so that a daemon that was killed (SIGKILL, a crash, the machine's OOM killer) stops, when it
 * starts again, the apps it left running. Lambda-style instances need none: they exit on their own
 * when their Runtime API connection goes. A process is only stopped if its pid and its start time
 * both match the record, so a pid the kernel has since given to another process is never touched.
 */
final class InstanceRecords {
  private final Path dir;

  InstanceRecords(Path dir) {
    this.dir = dir;
  }

  /** Records {@code app} as instance {@code id}'s process; best effort (a missing record only means no clean-up after a crash). */
  void running(String id, ProcessHandle app) {
    Optional<Instant> start = app.info().startInstant();
    if (start.isEmpty()) {
      return; // unverifiable later: better no record than one that could match another process
    }
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(id + ".pid.tmp");
      Files.writeString(tmp, app.pid() + " " + start.get() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // best effort
    }
  }

  /** Instance {@code id} has ended: its record goes. */
  void ended(String id) {
    try {
      Files.deleteIfExists(file(id));
    } catch (IOException e) {
      // best effort: a stale record is harmless (its process is gone or a different one)
    }
  }

  /**
   * Stops every recorded process that is still the one recorded (same pid, same start time), with
   * its descendants, and deletes every record. Call before any instance starts.
   *
   * @return the instance ids whose processes were stopped
   */
  List<String> sweep() {
    List<String> stopped = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return stopped;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".pid") && stopIfStillRunning(f)) {
          stopped.add(name.substring(0, name.length() - ".pid".length()));
        }
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // best effort
    }
    return stopped;
  }

  private static boolean stopIfStillRunning(Path record) {
    String[] parts;
    try {
      parts = Files.readString(record, StandardCharsets.UTF_8).strip().split(" ");
    } catch (IOException e) {
      return false;
    }
    if (parts.length != 2) {
      return false;
    }
    long pid;
    Instant start;
    try {
      pid = Long.parseLong(parts[0]);
      start = Instant.parse(parts[1]);
    } catch (RuntimeException malformed) {
      return false;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().info().startInstant().map(start::equals).orElse(false)) {
      return false;
    }
    h.get().descendants().forEach(ProcessHandle::destroyForcibly);
    h.get().destroyForcibly();
    return true;
  }

  private Path file(String id) {
    return dir.resolve(id + ".pid");
  }
}
