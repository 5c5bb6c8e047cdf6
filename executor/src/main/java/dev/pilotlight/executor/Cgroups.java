package dev.pilotlight.executor;

import dev.pilotlight.model.io.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A cgroup per instance process tree, written directly in the cgroup filesystem: the function's
 * {@code memory} as the limit of the whole tree (not only a heap), a pids limit, a CPU weight
 * proportional to memory (Lambda gives one vCPU per {@value #MB_PER_CPU} MB), and a way to end
 * every process in it, {@code setsid} children included. cgroup v1 ({@code memory}, {@code pids},
 * {@code cpu} hierarchies under {@code /sys/fs/cgroup}) and v2 (the unified hierarchy with those
 * controllers) are both supported; the groups live under one parent per data dir, so a daemon that
 * starts again finds and ends what an earlier one left ({@link #sweep}).
 *
 * <p>A process joins its group before it runs anything: its command is wrapped in
 * {@code /bin/sh -c 'echo $$ > …/cgroup.procs; exec "$@"'} ({@link Group#wrap}).
 */
final class Cgroups {
  private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
  /** Lambda: one vCPU per 1,769 MB of memory. */
  static final int MB_PER_CPU = 1769;
  /** Processes and threads one instance may have at once (a JVM uses a few dozen threads). */
  static final int PIDS_MAX = 1024;
  /** The lowest CPU weights the kernel takes: cgroup v1's {@code cpu.shares}, v2's {@code cpu.weight}. */
  static final int MIN_SHARES = 2;
  static final int MIN_WEIGHT = 1;

  enum Version { V1, V2 }

  private final Version version;
  /** One parent directory per controller hierarchy (v1: memory, pids, cpu; v2: one). */
  private final List<Path> parents;
  private final Map<Long, Group> byPid = new ConcurrentHashMap<>();

  /** No cgroups: every group is {@link Group#NONE}. */
  static final Cgroups NONE = off("not configured");

  /** Why there are none, when there are none. */
  private final String offReason;

  private Cgroups(Version version, List<Path> parents) {
    this(version, parents, null);
  }

  private Cgroups(Version version, List<Path> parents, String offReason) {
    this.version = version;
    this.parents = parents;
    this.offReason = offReason;
  }

  /** No cgroups, for this reason. */
  static Cgroups off(String reason) {
    return new Cgroups(null, List.of(), reason);
  }

  /** One line for the daemon's protections report: {@code cgroup v1 per instance…} or {@code off (why)}. */
  String describe() {
    return enabled() ? "cgroup " + version.name().toLowerCase(java.util.Locale.ROOT) + " per instance (memory, pids, cpu)"
        : "off (" + offReason + ")";
  }

  /** What detection found: cgroups to use, or why there are none (then {@link Group#NONE} everywhere). */
  record Detection(Cgroups cgroups, String reason) {}

  /**
   * Finds a writable cgroup hierarchy under {@code root} (normally {@code /sys/fs/cgroup}) and makes
   * the parent {@code name} in it.
   */
  static Detection detect(Path root, String name) {
    try {
      Path v1Memory = root.resolve("memory");
      if (Files.isRegularFile(v1Memory.resolve("cgroup.procs")) && Files.isRegularFile(root.resolve("pids/cgroup.procs"))) {
        List<Path> parents = new ArrayList<>();
        for (String controller : List.of("memory", "pids", "cpu")) {
          Path parent = root.resolve(controller).resolve(name);
          Files.createDirectories(parent);
          parents.add(parent);
        }
        return new Detection(new Cgroups(Version.V1, parents), null);
      }
      Path controllers = root.resolve("cgroup.controllers");
      if (Files.isRegularFile(controllers)) {
        String available = Files.readString(controllers);
        if (!available.contains("memory") || !available.contains("pids")) {
          return new Detection(null, "cgroup v2 at " + root + " offers no memory and pids controllers (" + available.strip() + ")");
        }
        Path parent = root.resolve(name);
        Files.createDirectories(parent);
        write(root.resolve("cgroup.subtree_control"), "+memory +pids" + (available.contains("cpu") ? " +cpu" : ""));
        write(parent.resolve("cgroup.subtree_control"), "+memory +pids" + (available.contains("cpu") ? " +cpu" : ""));
        return new Detection(new Cgroups(Version.V2, List.of(parent)), null);
      }
      return new Detection(null, "no cgroup v1 memory and pids hierarchies and no cgroup v2 at " + root);
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      return new Detection(null, "cannot make cgroups under " + root + " (" + e.getMessage() + "); run the daemon as root or delegate a cgroup");
    }
  }

  /**
   * The daemon's cgroups for the data dir {@code stateDir} (a parent {@code pilotlight-<hash>} in
   * each hierarchy), after ending what an earlier daemon on the same data dir left; {@link #NONE}
   * with a logged reason when they cannot be had or {@code PILOTLIGHT_CGROUPS=off}.
   */
  static Cgroups forDaemon(Path stateDir, Map<String, String> env) {
    if ("off".equals(env.get("PILOTLIGHT_CGROUPS"))) {
      LOG.log(System.Logger.Level.WARNING, "pilotlight: instances run without cgroup limits (PILOTLIGHT_CGROUPS=off)");
      return off("PILOTLIGHT_CGROUPS=off");
    }
    String name = "pilotlight-" + Integer.toHexString(stateDir.toAbsolutePath().normalize().toString().hashCode());
    Detection d = detect(Path.of("/sys/fs/cgroup"), name);
    if (d.cgroups() == null) {
      LOG.log(System.Logger.Level.WARNING, "pilotlight: instances run without cgroup limits: " + d.reason());
      return off(d.reason());
    }
    int swept = d.cgroups().sweep();
    LOG.log(System.Logger.Level.INFO, "pilotlight: a cgroup " + d.cgroups().version().name().toLowerCase(Locale.ROOT)
        + " group per instance (memory, pids, cpu) under " + name + (swept > 0 ? "; ended " + swept + " left by an earlier daemon" : ""));
    return d.cgroups();
  }

  boolean enabled() {
    return !parents.isEmpty();
  }

  Version version() {
    return version;
  }

  /** A new group for one process tree with these limits. */
  Group create(String id, int memoryMb) throws IOException {
    return create(id, memoryMb, false);
  }

  /**
   * A new group for one process tree with these limits; with {@code background} its CPU weight is
   * the lowest there is ({@link Group#yieldCpu}) until {@link Group#limit} or {@link Group#weigh}
   * gives it its own.
   */
  Group create(String id, int memoryMb, boolean background) throws IOException {
    if (parents.isEmpty()) {
      return Group.NONE;
    }
    List<Path> dirs = new ArrayList<>();
    for (Path parent : parents) {
      Path dir = parent.resolve(id);
      Files.createDirectories(dir);
      dirs.add(dir);
    }
    Group g = new Group(version, dirs);
    g.limit(memoryMb);
    if (background) {
      g.yieldCpu();
    }
    write(g.pids().resolve("pids.max"), Integer.toString(PIDS_MAX));
    return g;
  }

  /** Remembers that {@code pid} runs in {@code g} (a pool runner, until it is specialised). */
  void track(long pid, Group g) {
    byPid.put(pid, g);
  }

  /** The group of a tracked process, or {@link Group#NONE}. */
  Group groupOf(long pid) {
    if (parents.isEmpty()) {
      return Group.NONE;
    }
    Group g = byPid.remove(pid);
    return g == null ? Group.NONE : g;
  }

  /** Ends every process in every group under the parent and removes the groups: what an earlier daemon left. */
  int sweep() {
    if (parents.isEmpty()) {
      return 0;
    }
    int swept = 0;
    try (Stream<Path> children = Files.list(parents.getFirst())) {
      for (Path child : children.filter(Files::isDirectory).toList()) {
        List<Path> dirs = new ArrayList<>();
        for (Path parent : parents) {
          dirs.add(parent.resolve(child.getFileName()));
        }
        Group g = new Group(version, dirs);
        if (g.killAll() > 0) {
          swept++;
        }
        g.remove();
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cgroups: cannot sweep " + parents.getFirst() + ": " + e.getMessage());
    }
    return swept;
  }

  static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII);
  }

  /** One process tree's cgroup. */
  static final class Group {
    /** No cgroup: limits are not applied and only the tree the daemon sees is ended. */
    static final Group NONE = new Group(null, List.of());

    private final Version version;
    private final List<Path> dirs;
    /**
     * The memory limit last written (a new group has none: unlimited), so a change knows which way
     * it goes without reading the file back. Handed between threads through {@link #track}'s map.
     */
    private long limitBytes = Long.MAX_VALUE;

    Group(Version version, List<Path> dirs) {
      this.version = version;
      this.dirs = dirs;
    }

    boolean isNone() {
      return dirs.isEmpty();
    }

    private Path memory() {
      return dirs.getFirst();
    }

    private Path pids() {
      return version == Version.V1 ? dirs.get(1) : dirs.getFirst();
    }

    /** {@code command} run so that it joins this group before it starts. */
    List<String> wrap(List<String> command) {
      if (isNone()) {
        return command;
      }
      String script = joinScript() + "exec \"$@\"";
      List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script, "sh"));
      wrapped.addAll(command);
      return wrapped;
    }

    /** The shell commands that move the shell running them into this group (empty for {@link #NONE}). */
    String joinScript() {
      StringBuilder script = new StringBuilder();
      for (Path dir : dirs) {
        script.append("echo $$ > '").append(dir.resolve("cgroup.procs")).append("' || exit 125; ");
      }
      return script.toString();
    }

    /** Sets the memory limit and the CPU weight that follows it. */
    void limit(int memoryMb) throws IOException {
      limitMemory(memoryMb);
      weigh(memoryMb);
    }

    /**
     * Sets the memory limit alone; for a pool runner taken by a function, whose CPU weight the
     * caller sets once the runner has its function (see InstanceStarts.specialize).
     */
    void limitMemory(int memoryMb) throws IOException {
      if (isNone()) {
        return;
      }
      long bytes = memoryMb * 1024L * 1024L;
      if (bytes == limitBytes) {
        // A pool runner taken by a function of its pool's size: the limits are there already (file
        // writes a cold start need not wait for).
        return;
      }
      if (version == Version.V1) {
        Path memsw = memory().resolve("memory.memsw.limit_in_bytes");
        // memsw must stay >= the memory limit: raise in the order that keeps it so.
        if (bytes > limitBytes && Files.exists(memsw)) {
          write(memsw, Long.toString(bytes));
          write(memory().resolve("memory.limit_in_bytes"), Long.toString(bytes));
        } else {
          write(memory().resolve("memory.limit_in_bytes"), Long.toString(bytes));
          if (Files.exists(memsw)) {
            write(memsw, Long.toString(bytes)); // no swap beyond the limit
          }
        }
        limitBytes = bytes;
      } else {
        write(memory().resolve("memory.max"), Long.toString(bytes));
        Path swap = memory().resolve("memory.swap.max");
        if (Files.exists(swap)) {
          write(swap, "0");
        }
        limitBytes = bytes;
      }
    }

    /**
     * The CPU weight that follows the memory size (v1 {@code cpu.shares}: 1,024 per vCPU; v2
     * {@code cpu.weight}: 100 per vCPU): what a group has while it serves.
     */
    void weigh(int memoryMb) throws IOException {
      if (isNone()) {
        return;
      }
      if (version == Version.V1) {
        write(cpu().resolve("cpu.shares"), Long.toString(Math.max(MIN_SHARES, memoryMb * 1024L / MB_PER_CPU)));
      } else if (Files.exists(cpu().resolve("cpu.weight"))) {
        write(cpu().resolve("cpu.weight"), Long.toString(Math.clamp(memoryMb * 100L / MB_PER_CPU, MIN_WEIGHT, 10_000)));
      }
    }

    /**
     * The lowest CPU weight there is (v1 {@code cpu.shares} 2, v2 {@code cpu.weight} 1), for a
     * process tree that boots while others serve: it runs on what they leave, and at full speed
     * on an idle machine (a weight divides the CPU only while groups compete for it).
     */
    void yieldCpu() throws IOException {
      if (isNone()) {
        return;
      }
      Path file = cpu().resolve(version == Version.V1 ? "cpu.shares" : "cpu.weight");
      if (version == Version.V1 || Files.exists(file)) {
        write(file, Integer.toString(version == Version.V1 ? MIN_SHARES : MIN_WEIGHT));
      }
    }

    private Path cpu() {
      return version == Version.V1 ? dirs.get(2) : dirs.getFirst();
    }

    /** The most memory the group used, in bytes; 0 when unknown. */
    long peakBytes() {
      if (isNone()) {
        return 0;
      }
      return readLong(memory().resolve(version == Version.V1 ? "memory.max_usage_in_bytes" : "memory.peak"));
    }

    /** Whether the kernel killed a process of the group for exceeding its memory limit. */
    boolean oomKilled() {
      if (isNone()) {
        return false;
      }
      try {
        String text = Files.readString(memory().resolve(version == Version.V1 ? "memory.oom_control" : "memory.events"));
        for (String line : text.split("\n")) {
          if (line.startsWith("oom_kill ")) {
            return Long.parseLong(line.substring("oom_kill ".length()).strip()) > 0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return false;
      }
      return false;
    }

    /**
     * Whether a process or thread of the group could not be created because the group was at its
     * pids limit ({@code pids.events}' {@code max} count, in v1 and v2 alike).
     */
    boolean pidsLimitHit() {
      if (isNone()) {
        return false;
      }
      try {
        for (String line : Files.readString(pids().resolve("pids.events")).split("\n")) {
          if (line.startsWith("max ")) {
            return Long.parseLong(line.substring("max ".length()).strip()) > 0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return false;
      }
      return false;
    }

    /** SIGKILLs every process in the group until none is left (a fork racing the kill is caught on the next pass); returns how many. */
    int killAll() {
      if (isNone()) {
        return 0;
      }
      int killed = 0;
      for (int pass = 0; pass < 50; pass++) {
        List<Long> pids = members();
        if (pids.isEmpty()) {
          return killed;
        }
        for (long pid : pids) {
          if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
            killed++;
          }
        }
        try {
          Thread.sleep(pass < 5 ? 2 : 20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return killed;
        }
      }
      return killed;
    }

    List<Long> members() {
      List<Long> pids = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(memory().resolve("cgroup.procs"))) {
          if (!line.isBlank()) {
            pids.add(Long.parseLong(line.strip()));
          }
        }
      } catch (IOException | NumberFormatException e) {
        // gone already
      }
      return pids;
    }

    /** Removes the group's directories (the kernel refuses while a process is in it). */
    void remove() {
      for (Path dir : dirs) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          // On a cgroup filesystem a group with a process left cannot go yet; anywhere else (a
          // test's stand-in tree of plain files) it is removed as a directory tree.
          if (!onCgroupFs(dir)) {
            FileTrees.deleteTreeQuietly(dir);
          }
        }
      }
    }

    private static boolean onCgroupFs(Path dir) {
      try {
        return Files.getFileStore(dir).type().startsWith("cgroup");
      } catch (IOException e) {
        return true;
      }
    }

    private static long readLong(Path file) {
      try {
        return Long.parseLong(Files.readString(file).strip());
      } catch (IOException | NumberFormatException e) {
        return 0;
      }
    }
  }
}
