package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.io.FileTrees;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * CRIU snapshots of initialised {@code http} apps: the images of the "snapshot" rung (restored by
 * SnapshotRestorer).
 *
 * <p>At deploy time, in the background after the AOT cache training, the app is started as an
 * instance would be (its command, its environment, {@code PORT}) but as PID 1 of its own PID
 * namespace (see Criu#snapshotCommand) with {@code -XX:-UsePerfData} added to its
 * {@code JAVA_TOOL_OPTIONS} (a JVM's perf-data file in /tmp would be part of the image); once it
 * answers its readiness path, {@value #WARM_UP_REQUESTS} more requests warm its request path, and
 * {@code criu dump} checkpoints and kills it. The image directory is named by a hash of everything
 * the image depends on (key), written under a temporary name and renamed when complete, so a
 * half-written image is never restored.
 *
 * <p>The app listens on a port fixed in the image (chosen below the kernel's ephemeral range, so
 * that the ports other instances get from the kernel never collide with it). A restored copy
 * binds that same port in the host's network namespace, so only one copy per port can run:
 * {@link #claim} hands out an image only while no copy on its port runs and the port is free;
 * other cold starts take the next rung.
 */
final class Snapshots implements SnapshotRung.Images {
  private static final System.Logger LOG = System.getLogger(Snapshots.class.getName());

  static final Duration MAKE_TIMEOUT = Duration.ofSeconds(60);
  /** Requests sent after the readiness probe's own, so the restored copy's request path is warm. */
  static final int WARM_UP_REQUESTS = 20;
  static final String PROPERTIES = "snapshot.properties";
  /** Lowest port an image may listen on; ports up to the kernel's ephemeral range are used. */
  static final int FIRST_PORT = 20000;

  private final ExecutorConfig config;
  private final Path dir;
  private final InstanceLogSink logs;
  private final CompletableFuture<Criu.Detection> detection;
  private final Map<Path, Image> images = new ConcurrentHashMap<>();
  private final Set<Integer> portsInUse = ConcurrentHashMap.newKeySet();
  /** The kernel release and this boot's id: an image is never restored after a reboot (see key). */
  private final String kernel = firstLine("/proc/sys/kernel/osrelease", System.getProperty("os.version")) + " "
      + firstLine("/proc/sys/kernel/random/boot_id", "");

  /** One image: where it is, the port its app listens on, and the ids of the pipes its stdout and stderr were. */
  record Image(Path dir, int port, String stdoutPipe, String stderrPipe) {
    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", port);
    }
  }

  /** Detects CRIU in the background ({@code criuSetting}: see Criu#detect) and logs one line saying whether the rung exists. */
  private Preparations preparations = new Preparations(java.time.InstantSource.system());

  /** Tells {@code p} where each snapshot is, for the status view. */
  Snapshots preparations(Preparations p) {
    this.preparations = p;
    return this;
  }

  Snapshots(ExecutorConfig config, Path dir, InstanceLogSink logs, String criuSetting) {
    this.config = config;
    this.dir = dir;
    this.logs = logs;
    this.detection = new CompletableFuture<>();
    PipeThreads.start("criu-detection", () -> {
      Criu.Detection d;
      try {
        d = Criu.detect(criuSetting, System.getenv());
      } catch (RuntimeException e) {
        d = Criu.Detection.none(e.toString());
      }
      LOG.log(System.Logger.Level.INFO, d.criu() != null
          ? "pilotlight: snapshot restore available (CRIU " + d.criu().version + " at " + d.criu().binary + ")"
          : "pilotlight: snapshot restore unavailable: " + d.reason());
      detection.complete(d);
    });
  }

  /** Completes when detection has run: whether this host can restore snapshots. */
  CompletableFuture<Boolean> usable() {
    return detection.thenApply(d -> d.criu() != null);
  }

  /** The CRIU found, or null while detection runs or when there is none. */
  Criu criu() {
    Criu.Detection d = detection.getNow(null);
    return d == null ? null : d.criu();
  }

  /**
   * Claims {@code d}'s image for one restored copy: empty when it has none, a copy on its port runs,
   * or something else holds the port. Give it back with {@link #release} once the copy is gone.
   */
  @Override
  public Optional<Image> claim(Deployment d) {
    Criu criu = criu();
    if (criu == null || d.spec().runtime() != Runtime.HTTP) {
      return Optional.empty();
    }
    Image image = image(imageDir(d, criu));
    if (image == null || !portsInUse.add(image.port())) {
      return Optional.empty();
    }
    if (!portFree(image.port())) {
      portsInUse.remove(image.port());
      return Optional.empty();
    }
    return Optional.of(image);
  }

  void release(Image image) {
    portsInUse.remove(image.port());
  }

  /** Where restores write their pidfiles and logs. */
  Path dir() {
    return dir;
  }

  private Image image(Path imageDir) {
    Image known = images.get(imageDir);
    if (known != null && Files.isDirectory(imageDir)) {
      return known;
    }
    images.remove(imageDir);
    Path props = imageDir.resolve(PROPERTIES);
    if (!Files.isRegularFile(props)) {
      return null;
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(props)) {
      p.load(in);
      Image image = new Image(imageDir, Integer.parseInt(p.getProperty("port")), p.getProperty("stdout"), p.getProperty("stderr"));
      images.put(imageDir, image);
      return image;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Makes {@code d}'s image unless it exists; runs on the caller's thread (the AOT trainer's, after
   * the app's training) and logs {@code snapshot ready (…)} or why not to the function's log.
   */
  @Override
  public void make(Deployment d) {
    if (d.spec().runtime() != Runtime.HTTP) {
      return;
    }
    Criu criu = detection.join().criu();
    if (criu == null) {
      preparations.failed(d, Preparations.SNAPSHOT, "no usable CRIU on this host");
      return;
    }
    Path target = imageDir(d, criu);
    if (image(target) != null) {
      preparations.ready(d, Preparations.SNAPSHOT, "cached");
      return;
    }
    preparations.running(d, Preparations.SNAPSHOT);
    long start = System.nanoTime();
    try {
      dump(d, criu, target);
    } catch (PreparationFailed e) {
      logs.line(d.name(), "-", null, "snapshot not made (cold starts go on without it): " + e.getMessage());
      preparations.failed(d, Preparations.SNAPSHOT, e.getMessage());
      return;
    }
    Image image = image(target);
    String made = String.format(Locale.ROOT, "%d MB, made in %.0f ms", sizeMb(target), (System.nanoTime() - start) / 1e6);
    logs.line(d.name(), "-", null, String.format(Locale.ROOT, "snapshot ready (revision %d, port %d, %s)",
        d.revision(), image == null ? 0 : image.port(), made));
    preparations.ready(d, Preparations.SNAPSHOT, made);
  }

  /** A snapshot of {@code d} will be made after the trainings queued before it. */
  @Override
  public void queued(Deployment d) {
    if (d.spec().runtime() == Runtime.HTTP) {
      preparations.queued(d, Preparations.SNAPSHOT);
    }
  }

  /** Makes the image in {@code target}, or says why not. */
  private void dump(Deployment d, Criu criu, Path target) throws PreparationFailed {
    try {
      writeImage(d, criu, target);
    } catch (IOException | RuntimeException e) {
      throw new PreparationFailed(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PreparationFailed("interrupted");
    }
  }

  private void writeImage(Deployment d, Criu criu, Path target) throws IOException, InterruptedException, PreparationFailed {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.createDirectories(dir);
    FileTrees.deleteTree(tmp);
    Files.createDirectories(tmp);
    int port = choosePort();
    if (port < 0) {
      throw new PreparationFailed("no free port below the ephemeral range");
    }
    portsInUse.add(port);
    Process p = null;
    try {
      Map<String, String> env = InstanceEnvironment.build(d, d.name() + "-snapshot", config,
          Map.of("PORT", Integer.toString(port), "JAVA_TOOL_OPTIONS", toolOptions(d)));
      ProcessBuilder pb = new ProcessBuilder(criu.snapshotCommand(d.spec().command())).directory(d.codeDir().toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().clear();
      pb.environment().putAll(env);
      p = pb.start();
      // stdout and stderr stay pipes (their ids go in the image; a restore swaps in new ones); drained, kept for errors.
      OutputCapture output = new OutputCapture(p, d.name(), d.name() + "-snapshot", (f, i, r, l) -> {}, () -> null, false);
      Process app = p;
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      String path = d.spec().effectiveReadinessPath();
      if (!HttpReadiness.await(address, path, System.nanoTime() + MAKE_TIMEOUT.toNanos(), () -> !app.isAlive())) {
        throw new PreparationFailed(p.isAlive() ? "the app did not answer GET " + path + " on $PORT within " + MAKE_TIMEOUT.toSeconds() + " s"
            : "the app exited: " + OutputCapture.lastLine(output.lastLines()));
      }
      for (int i = 0; i < WARM_UP_REQUESTS; i++) {
        HttpReadiness.probe(address, path, 10_000);
      }
      long init = p.children().findFirst().map(ProcessHandle::pid).orElse(-1L);
      if (init < 0) {
        throw new PreparationFailed("the app's process was not found");
      }
      String stdout = pipeOf(init, 1);
      String stderr = pipeOf(init, 2);
      Path log = tmp.resolve("dump.log");
      Process dump = new ProcessBuilder(criu.dumpCommand(init, tmp, log)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      if (!dump.waitFor(MAKE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        dump.destroyForcibly();
        throw new PreparationFailed("criu dump took longer than " + MAKE_TIMEOUT.toSeconds() + " s");
      }
      if (dump.exitValue() != 0) {
        throw new PreparationFailed("criu dump exited with " + dump.exitValue() + ": " + Criu.errors(read(log)));
      }
      Properties props = new Properties();
      props.setProperty("port", Integer.toString(port));
      if (stdout != null) {
        props.setProperty("stdout", stdout);
      }
      if (stderr != null) {
        props.setProperty("stderr", stderr);
      }
      props.setProperty("criu", criu.version);
      try (var out = Files.newBufferedWriter(tmp.resolve(PROPERTIES))) {
        props.store(out, "pilotlight snapshot of " + d.name() + " revision " + d.revision());
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      deleteOlderImages(d.name(), target);
    } finally {
      portsInUse.remove(port);
      if (p != null && p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      FileTrees.deleteTree(tmp);
    }
  }

  /**
   * Deletes the function's other images (earlier revisions, another JDK or boot): a function has one
   * revision at a time, and a copy restored from one of them no longer needs its files.
   */
  private void deleteOlderImages(String function, Path keep) {
    Pattern mine = Pattern.compile(Pattern.quote(function) + "-[0-9a-f]{24}");
    try (var dirs = Files.list(dir)) {
      for (Path other : dirs.filter(p -> !p.equals(keep) && mine.matcher(p.getFileName().toString()).matches()).toList()) {
        images.remove(other);
        FileTrees.deleteTree(other);
      }
    } catch (IOException | UncheckedIOException e) {
      logs.line(function, "-", null, "older snapshots not deleted: " + e.getMessage());
    }
  }

  /** The function's own {@code JAVA_TOOL_OPTIONS} plus {@code -XX:-UsePerfData}. */
  static String toolOptions(Deployment d) {
    String own = d.spec().env().getOrDefault("JAVA_TOOL_OPTIONS", "");
    return (own.isBlank() ? "" : own + " ") + "-XX:-UsePerfData";
  }

  /** {@code pipe:[INODE]} when fd {@code fd} of {@code pid} is a pipe, else null. */
  private static String pipeOf(long pid, int fd) {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
      return link.startsWith("pipe:[") ? link : null;
    } catch (IOException e) {
      return null;
    }
  }

  Path imageDir(Deployment d, Criu criu) {
    return dir.resolve(d.name() + "-" + key(d, config.javaHome() + ":" + System.getProperty("java.vm.version"), criu.version, kernel));
  }

  /**
   * What an image depends on, hashed: the code, the command, the function's own environment, the
   * readiness path, the JDK, the CRIU version and the kernel with its boot id. Any change means a
   * new image; an old one is never restored for new code or on a new kernel. The boot id matters
   * because the app is not in a time namespace: its CLOCK_MONOTONIC is the host's, which only moves
   * forward within one boot (after a restore it has jumped ahead, like after a long pause) but
   * starts again near zero after a reboot, where a restored app would see its clock go backwards.
   */
  static String key(Deployment d, String jdk, String criuVersion, String kernel) {
    StringBuilder what = new StringBuilder();
    what.append(d.codeSha256()).append('\n').append(d.spec().command()).append('\n').append(d.spec().effectiveReadinessPath()).append('\n')
        .append(d.spec().memoryMb()).append('\n').append(d.spec().concurrency()).append('\n');
    new TreeMap<>(d.spec().env()).forEach((k, v) -> what.append(k).append('=').append(v).append('\n'));
    what.append(jdk).append('\n').append(criuVersion).append('\n').append(kernel);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(what.toString().getBytes(StandardCharsets.UTF_8)), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A port below the ephemeral range that no image of this daemon uses and nothing holds now, or -1. */
  private int choosePort() {
    int limit = ephemeralLow();
    Set<Integer> taken = ConcurrentHashMap.newKeySet();
    try (var dirs = Files.list(dir)) {
      dirs.filter(Files::isDirectory).map(this::image).filter(Objects::nonNull).forEach(i -> taken.add(i.port()));
    } catch (IOException e) {
      // none yet
    }
    for (int port = FIRST_PORT; port < limit; port++) {
      if (!taken.contains(port) && !portsInUse.contains(port) && portFree(port)) {
        return port;
      }
    }
    return -1;
  }

  static int ephemeralLow() {
    try {
      // read by line: Files.readString trusts the size /proc reports and can stop short
      try (var r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
        return Integer.parseInt(r.readLine().strip().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first line of a /proc file (read by line: Files.readString trusts the size /proc reports), or {@code otherwise}. */
  private static String firstLine(String file, String otherwise) {
    try (var r = Files.newBufferedReader(Path.of(file))) {
      return r.readLine().strip();
    } catch (IOException | RuntimeException e) {
      return otherwise;
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static long sizeMb(Path tree) {
    try (var files = Files.walk(tree)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0;
        }
      }).sum() / (1024 * 1024);
    } catch (IOException e) {
      return 0;
    }
  }

}
