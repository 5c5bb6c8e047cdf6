package dev.pilotlight.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code dev DIR}'s loop: build (when the directory has a build), deploy, then watch the directory
 * and do both again after every change, until interrupted. A change is a file created, changed or
 * deleted anywhere under the directory except in build output and tool directories
 * ({@link #IGNORED}), editors' backup files and the manifest's {@code package:} directory, judged
 * against the files as the last build left them (so a build's own writes are no change); events
 * that come within {@link #QUIET} of each other are looked at together. A failed build or deploy
 * is printed and the loop goes on: the next change tries again.
 */
final class DevLoop {
  /** Directories never watched: build output, dependencies, version control, caches. */
  static final Set<String> IGNORED = Set.of("target", "build", "out", "node_modules", ".git", ".idea", ".gradle", "__pycache__", ".venv",
      ".mvn", ".pytest_cache");
  /** A change is acted on once the directory has been quiet this long (editors write a file in several steps). */
  static final Duration QUIET = Duration.ofMillis(300);

  /** One step of a round (the build, the deploy); throws with what failed. */
  interface Step {
    void run() throws Exception;
  }

  private final Path dir;
  private final List<Path> skipped;
  private final PrintStream out;
  /** The watched files as they were right after the last build: path → size and modification time (ns). */
  private Map<Path, List<Long>> built = Map.of();

  /** @param skipped directories under {@code dir} not watched (the built package's) */
  DevLoop(Path dir, List<Path> skipped, PrintStream out) {
    this.dir = dir.toAbsolutePath().normalize();
    this.skipped = skipped.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    this.out = out;
  }

  /**
   * Builds and deploys now, then again after every change, until the thread is interrupted. A
   * change is judged against the files as they were when the last build ended: what a build writes
   * itself is no change, and an edit made while a deploy ran is (the next round deploys it).
   */
  void run(Step build, Step deploy) throws IOException {
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      Map<WatchKey, Path> keys = new HashMap<>();
      register(dir, watcher, keys);
      round(build, deploy);
      while (!Thread.currentThread().isInterrupted()) {
        WatchKey key = watcher.take();
        drain(key, keys, watcher);
        // settle: keep collecting until the directory is quiet
        for (WatchKey more; (more = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
          drain(more, keys, watcher);
        }
        List<Path> changed = changedSince(built, files());
        if (!changed.isEmpty()) {
          out.println("changed: " + describe(changed));
          round(build, deploy);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void round(Step build, Step deploy) {
    try {
      try {
        build.run();
      } finally {
        built = files();
      }
      deploy.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      out.println("failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()) + " (waiting for the next change)");
    }
    out.flush();
  }

  /** Every watched file with its size and modification time. */
  Map<Path, List<Long>> files() throws IOException {
    Map<Path, List<Long>> files = new HashMap<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return d.equals(dir) || watched(d) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        if (watched(f)) {
          files.put(f, List.of(attrs.size(), attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path f, IOException e) {
        return FileVisitResult.CONTINUE; // deleted while walking: the next change sees it
      }
    });
    return files;
  }

  /** The files added, removed or changed from {@code before} to {@code now}, sorted. */
  static List<Path> changedSince(Map<Path, List<Long>> before, Map<Path, List<Long>> now) {
    java.util.TreeSet<Path> changed = new java.util.TreeSet<>();
    now.forEach((p, v) -> {
      if (!v.equals(before.get(p))) {
        changed.add(p);
      }
    });
    before.keySet().stream().filter(p -> !now.containsKey(p)).forEach(changed::add);
    return List.copyOf(changed);
  }

  private String describe(List<Path> changed) {
    List<String> names = changed.stream().map(p -> dir.relativize(p).toString()).distinct().limit(3).toList();
    long more = changed.stream().distinct().count() - names.size();
    return String.join(", ", names) + (more > 0 ? " and " + more + " more" : "");
  }

  /** Takes {@code key}'s events; new directories are watched too. Returns the paths that matter. */
  private List<Path> drain(WatchKey key, Map<WatchKey, Path> keys, WatchService watcher) throws IOException {
    Path base = keys.get(key);
    List<Path> changed = new ArrayList<>();
    for (WatchEvent<?> e : key.pollEvents()) {
      if (base == null || e.kind() == StandardWatchEventKinds.OVERFLOW) {
        changed.add(dir);
        continue;
      }
      Path p = base.resolve((Path) e.context());
      if (!watched(p)) {
        continue;
      }
      if (e.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(p)) {
        register(p, watcher, keys);
      }
      changed.add(p);
    }
    if (!key.reset()) {
      keys.remove(key);
    }
    return changed;
  }

  /** Whether a change at {@code p} counts: not in an ignored or skipped directory, not an editor's swap or backup file. */
  boolean watched(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    for (Path s : skipped) {
      if (abs.startsWith(s)) {
        return false;
      }
    }
    Path rel = dir.relativize(abs);
    for (Path part : rel) {
      if (IGNORED.contains(part.toString())) {
        return false;
      }
    }
    String name = abs.getFileName() == null ? "" : abs.getFileName().toString();
    return !(name.endsWith("~") || name.endsWith(".swp") || name.endsWith(".swx") || name.startsWith(".#") || name.equals("4913"));
  }

  private void register(Path start, WatchService watcher, Map<WatchKey, Path> keys) throws IOException {
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        if (!d.equals(dir) && !watched(d)) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        keys.put(d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE), d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
