package dev.pilotlight.executor;

import dev.pilotlight.model.io.FileTrees;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A sandbox per instance, made with bubblewrap ({@code bwrap}) and util-linux's {@code setpriv}:
 *
 * <ul>
 *   <li>its own mount namespace: the host's file system read-only, with the daemon's data dir and
 *       home hidden under empty tmpfs mounts; the function's code read-only at {@value #TASK_ROOT}
 *       (Lambda's {@code LAMBDA_TASK_ROOT}); a private {@code /tmp} of the function's
 *       {@code ephemeralStorage}, gone with the instance; a minimal {@code /dev}; a {@code /proc} of its own;
 *   <li>its own PID, IPC and UTS namespaces (it sees only its own processes). Not
 *       {@code --die-with-parent}: the kernel ties that to the thread that started the process, and
 *       the daemon's launching threads come and go; a crashed daemon's sandboxes are ended by the
 *       next one through their cgroups;
 *   <li>a seccomp filter that refuses what a function never needs (see {@link SeccompFilter});
 *   <li>an unprivileged uid and gid of its own (from {@value #DEFAULT_FIRST_UID}, one per live
 *       sandbox), no supplementary groups, no capabilities (bounding set emptied) and
 *       {@code no_new_privs}.
 * </ul>
 *
 * <p>What the daemon's own command line for a runtime names (the JDK, the runner jar, the
 * bootstraps, an interpreter's installation, an AOT cache, a library layer's jars) is made visible
 * read-only where it is, when a hidden directory or one the uid cannot enter is in the way; the
 * code of {@code provided} and {@code http} functions names nothing that is bound.
 *
 * <p>A pool runner is sandboxed when it starts, before any function is known: its
 * {@value #TASK_ROOT} is its box's empty {@code task} directory, into which {@link Box#fill} links
 * the function's files when it is taken (hard links: no copy, the same read-only files).
 */
final class Sandbox {
  private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());

  /** Where an instance sees its code, as on Lambda. */
  static final String TASK_ROOT = "/var/task";
  /** The first uid (and gid) given to a sandbox; uids from it up are taken for Pilotlight's own. */
  static final int DEFAULT_FIRST_UID = 200_000;
  /** How many sandboxes may live at once (uids in use). */
  static final int MAX_BOXES = 65_536;

  /** The trial sandbox's /tmp. */
  private static final int TRIAL_TMP_MB = 1;

  /** No sandbox: every box is {@link Box#NONE}. */
  static final Sandbox NONE = off("not configured");

  private final Path bwrap;
  private final Path setpriv;
  /** The compiled seccomp filter, or null when there is none (the report says why). */
  private final Path seccomp;
  private final String seccompNote;
  /** stateDir/sandbox: one directory per live box. */
  private final Path boxes;
  /** Hidden under empty tmpfs mounts in every sandbox. */
  private final List<Path> hidden;
  /** Made visible read-only in every sandbox (the JDK, the runtimes, the interpreters). */
  private final List<Path> always;
  private final int firstUid;
  private final String offReason;
  private final BitSet inUse = new BitSet();
  /** Pool runners' boxes, until a function takes the runner. */
  private final Map<Long, Box> byPid = new ConcurrentHashMap<>();
  /** The mount arguments for a set of paths to show, computed once (stat calls on every ancestor). */
  private final Map<List<Path>, List<String>> visibility = new ConcurrentHashMap<>();

  private Sandbox(Path bwrap, Path setpriv, Path seccomp, String seccompNote, Path boxes, List<Path> hidden, List<Path> always,
      int firstUid, String offReason) {
    this.bwrap = bwrap;
    this.setpriv = setpriv;
    this.seccomp = seccomp;
    this.seccompNote = seccompNote;
    this.boxes = boxes;
    this.hidden = hidden;
    this.always = always;
    this.firstUid = firstUid;
    this.offReason = offReason;
  }

  /**
   * A sandbox with these tools and paths, not checked (detect checks): {@code seccomp} null with
   * {@code seccompNote} saying why; boxes under {@code boxes}; {@code hidden} under empty tmpfs
   * mounts; {@code always} shown read-only.
   */
  static Sandbox of(Path bwrap, Path setpriv, Path seccomp, String seccompNote, Path boxes, List<Path> hidden, List<Path> always,
      int firstUid) {
    return new Sandbox(bwrap, setpriv, seccomp, seccompNote, boxes, List.copyOf(hidden), List.copyOf(always), firstUid, null);
  }

  static Sandbox off(String reason) {
    return new Sandbox(null, null, null, null, null, List.of(), List.of(), 0, reason);
  }

  boolean enabled() {
    return bwrap != null;
  }

  /** Why there is no sandbox (null when there is one). */
  String offReason() {
    return offReason;
  }

  /** One line for the daemon's protections report. */
  String describe() {
    if (!enabled()) {
      return "off (" + offReason + ")";
    }
    return "bubblewrap per instance (own uid from " + firstUid + ", no capabilities, no_new_privs; mount, pid, ipc and uts namespaces; "
        + "code read-only at " + TASK_ROOT + "; private /tmp; seccomp: " + (seccomp != null ? "on" : "off (" + seccompNote + ")") + ")";
  }

  /** Whether the seccomp filter is loaded into every sandbox. */
  boolean seccompOn() {
    return seccomp != null;
  }

  /**
   * The daemon's sandbox for the data dir {@code stateDir}: found as {@link #detect} finds it, or
   * none, with the reason logged, when {@code PILOTLIGHT_SANDBOX=off} or it cannot be had.
   */
  static Sandbox forDaemon(Path stateDir, ExecutorConfig config, Map<String, String> env) {
    if ("off".equals(env.get("PILOTLIGHT_SANDBOX"))) {
      LOG.log(System.Logger.Level.WARNING, "pilotlight: instances run without a sandbox (PILOTLIGHT_SANDBOX=off)");
      return off("PILOTLIGHT_SANDBOX=off");
    }
    Sandbox s = detect(stateDir, config, env);
    if (!s.enabled()) {
      LOG.log(System.Logger.Level.WARNING, "pilotlight: instances run without a sandbox: " + s.offReason());
    } else {
      LOG.log(System.Logger.Level.INFO, "pilotlight: sandbox: " + s.describe());
    }
    return s;
  }

  /**
   * Finds {@code bwrap} and {@code setpriv} ({@code PILOTLIGHT_BWRAP}, else the usual places),
   * checks that the daemon may use them (root: setting another uid needs it), compiles the seccomp
   * filter into {@code stateDir/sandbox/seccomp.bpf}, and runs {@code /bin/true} in a trial sandbox.
   */
  static Sandbox detect(Path stateDir, ExecutorConfig config, Map<String, String> env) {
    Path bwrap = find(env.get("PILOTLIGHT_BWRAP"), "/usr/bin/bwrap", "/usr/local/bin/bwrap");
    if (bwrap == null) {
      return off("no bwrap (install Debian's bubblewrap, or set PILOTLIGHT_BWRAP)");
    }
    Path setpriv = find(null, "/usr/bin/setpriv", "/bin/setpriv");
    if (setpriv == null) {
      return off("no setpriv (util-linux)");
    }
    if (!daemonIsRoot()) {
      return off("the daemon is not root: it cannot give each instance a uid of its own (see docs/security.md)");
    }
    int firstUid = DEFAULT_FIRST_UID;
    String configured = env.get("PILOTLIGHT_SANDBOX_FIRST_UID");
    if (configured != null) {
      try {
        firstUid = Integer.parseInt(configured.strip());
      } catch (NumberFormatException e) {
        return off("PILOTLIGHT_SANDBOX_FIRST_UID: '" + configured + "' (expected: a uid, e.g. 200000)");
      }
      if (firstUid < 1000) {
        return off("PILOTLIGHT_SANDBOX_FIRST_UID: " + firstUid + " (expected: 1000 or more, above the system's own users)");
      }
    }
    Path boxes = stateDir.toAbsolutePath().normalize().resolve("sandbox");
    try {
      // The mount points of every sandbox's code and secret files: bwrap cannot make them in the read-only root, so they are made
      // (empty) on the host.
      Files.createDirectories(Path.of(TASK_ROOT));
      Files.createDirectories(Path.of(dev.pilotlight.model.Secrets.SANDBOX_DIR));
      Files.createDirectories(boxes);
      sweep(boxes);
    } catch (IOException e) {
      return off("cannot make " + boxes + ": " + e.getMessage());
    }
    SeccompFilter.Result filter = SeccompFilter.compile(boxes.resolve("seccomp.bpf"), env);
    List<Path> hidden = new ArrayList<>();
    hidden.add(stateDir.toAbsolutePath().normalize());
    Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
    if (home.getNameCount() > 0) {
      hidden.add(home);
    }
    List<Path> always = new ArrayList<>();
    always.add(config.javaHome().toAbsolutePath().normalize());
    always.add(config.runnerJar().toAbsolutePath().normalize().getParent());
    always.add(config.runtimesDir().toAbsolutePath().normalize());
    for (Path interpreter : new Path[] {config.python(), config.node()}) {
      if (interpreter != null) {
        always.add(installation(interpreter.toAbsolutePath().normalize()));
      }
    }
    Sandbox s = of(bwrap, setpriv, filter.file(), filter.note(), boxes, hidden, always, firstUid);
    String trial = s.trial();
    return trial == null ? s : off("a trial sandbox failed: " + trial);
  }

  /** Whether a daemon started here with {@code env} would have a sandbox, as far as can be told without making one. */
  static boolean likelyOn(Map<String, String> env) {
    return !"off".equals(env.get("PILOTLIGHT_SANDBOX")) && find(env.get("PILOTLIGHT_BWRAP"), "/usr/bin/bwrap", "/usr/local/bin/bwrap") != null
        && find(null, "/usr/bin/setpriv", "/bin/setpriv") != null && daemonIsRoot();
  }

  /** Whether the daemon runs as root (uid 0): giving each instance a uid of its own needs it. */
  static boolean daemonIsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code /bin/true} in a sandbox as an instance would be; null when it worked, else what went wrong. */
  private String trial() {
    Box box;
    try {
      box = open(TRIAL_TMP_MB);
    } catch (IOException e) {
      return e.getMessage();
    }
    try {
      Process p = new ProcessBuilder(box.wrap(List.of("/bin/true"), null, List.of(), Cgroups.Group.NONE))
          .redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "it did not finish within 10 s";
      }
      return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + new String(out).strip();
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } finally {
      box.close();
    }
  }

  /** The installation an interpreter belongs to: {@code X} for {@code X/bin/python3}, else its directory. */
  static Path installation(Path binary) {
    Path dir = binary.getParent();
    if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("bin") && dir.getParent() != null) {
      return dir.getParent();
    }
    return dir == null ? binary : dir;
  }

  private static Path find(String configured, String... candidates) {
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? p : null;
    }
    for (String c : candidates) {
      Path p = Path.of(c);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Removes what boxes an earlier daemon left (their processes were ended with their cgroups). */
  private static void sweep(Path boxes) throws IOException {
    try (Stream<Path> dirs = Files.list(boxes)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        FileTrees.deleteTreeQuietly(dir);
      }
    }
  }

  /** A new box: a uid of its own and a directory {@code stateDir/sandbox/<uid>} with an empty {@code task}. */
  Box open(int ephemeralStorageMb) throws IOException {
    if (!enabled()) {
      return Box.NONE;
    }
    int slot;
    synchronized (inUse) {
      slot = inUse.nextClearBit(0);
      if (slot >= MAX_BOXES) {
        throw new IOException("no free sandbox uid: " + MAX_BOXES + " sandboxes are alive");
      }
      inUse.set(slot);
    }
    int uid = firstUid + slot;
    Path dir = boxes.resolve(Integer.toString(uid));
    try {
      FileTrees.deleteTreeQuietly(dir);
      Files.createDirectories(dir.resolve("task"));
      return new Box(this, slot, uid, dir, ephemeralStorageMb);
    } catch (IOException | RuntimeException e) {
      release(slot);
      throw e;
    }
  }

  private void release(int slot) {
    synchronized (inUse) {
      inUse.clear(slot);
    }
  }

  /** Remembers that {@code pid} runs in {@code box} (a pool runner, until it is specialised). */
  void track(long pid, Box box) {
    if (!box.isNone()) {
      byPid.put(pid, box);
    }
  }

  /** The box of a tracked process, now its taker's, or {@link Box#NONE}. */
  Box boxOf(long pid) {
    Box b = byPid.remove(pid);
    return b == null ? Box.NONE : b;
  }

  /**
   * The absolute paths among {@code args} (whole, or after {@code =}, between {@code :} or
   * {@code ,}): what a command line the daemon built names. Never given a user's command. Nothing is
   * read here (this is on the cold path): {@link #visibility} leaves out those that do not exist,
   * once per distinct list.
   */
  static List<Path> pathsNamedIn(List<String> args) {
    Set<Path> paths = new LinkedHashSet<>();
    for (String arg : args) {
      for (String part : arg.split("[=:,\\s]")) {
        if (part.startsWith("/") && part.length() > 1) {
          paths.add(Path.of(part).normalize());
        }
      }
    }
    return List.copyOf(paths);
  }

  /** Sandboxes alive now (for tests). */
  int alive() {
    synchronized (inUse) {
      return inUse.cardinality();
    }
  }

  /**
   * The mount arguments that hide the data dir and home and show {@code paths} (read-only, where
   * they are) in a sandbox: each path that is under a hidden directory, or under one the sandbox's
   * uid may not enter, is bound; such a directory is then hidden too.
   */
  List<String> visibility(List<Path> paths) {
    return visibility.computeIfAbsent(List.copyOf(paths), this::computeVisibility);
  }

  private List<String> computeVisibility(List<Path> paths) {
    Set<Path> tmpfs = new LinkedHashSet<>();
    for (Path h : hidden) {
      if (!h.startsWith("/tmp")) { // the private /tmp hides the host's already
        tmpfs.add(h);
      }
    }
    Set<Path> binds = new LinkedHashSet<>();
    for (Path p : paths) {
      Path path = p.toAbsolutePath().normalize();
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      boolean needed = path.startsWith("/tmp") || hidden.stream().anyMatch(path::startsWith);
      for (Path a = path.getParent(); a != null && a.getNameCount() > 0; a = a.getParent()) {
        if (!enterable(a)) {
          tmpfs.add(a);
          needed = true;
        }
      }
      if (needed) {
        binds.add(path);
      }
    }
    List<String> args = new ArrayList<>();
    tmpfs.stream().sorted(Comparator.comparingInt(Path::getNameCount)).forEach(t -> {
      args.add("--tmpfs");
      args.add(t.toString());
    });
    Set<Path> roots = new LinkedHashSet<>(tmpfs);
    roots.add(Path.of("/tmp"));
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path b : binds) {
      dirs.addAll(mountPointParents(b, roots));
    }
    dirs.stream().sorted(Comparator.comparingInt(Path::getNameCount)).forEach(dir -> args.addAll(List.of("--perms", "0755", "--dir", dir.toString())));
    binds.stream().sorted(Comparator.comparingInt(Path::getNameCount)).forEach(b -> {
      args.add("--ro-bind");
      args.add(b.toString());
      args.add(b.toString());
    });
    return List.copyOf(args);
  }

  /**
   * The directories bwrap must make for a mount at {@code target} inside one of the tmpfs
   * {@code roots}: made as {@code rwxr-xr-x} (bwrap's own would be {@code rwx------}, closed to the
   * sandbox's uid).
   */
  static List<Path> mountPointParents(Path target, Set<Path> roots) {
    List<Path> parents = new ArrayList<>();
    for (Path a = target.getParent(); a != null; a = a.getParent()) {
      Path dir = a;
      if (roots.stream().anyMatch(r -> dir.startsWith(r) && !dir.equals(r))) {
        parents.add(0, dir);
      }
    }
    return parents;
  }

  private static boolean enterable(Path dir) {
    try {
      return Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE);
    } catch (IOException | UnsupportedOperationException e) {
      return true;
    }
  }

  /** One sandbox: its uid, its directory, its private {@code /tmp} size. Close it once its processes are gone. */
  static final class Box implements AutoCloseable {
    /** No sandbox: commands run as they are, in their own directory. */
    static final Box NONE = new Box(null, -1, -1, null, 0);

    private final Sandbox sandbox;
    private final int slot;
    private final int uid;
    private final Path dir;
    private final int ephemeralStorageMb;
    private volatile boolean closed;
    /** Whether {@link #writableDir} made the box's own writable directory (bound into the sandbox). */
    private volatile boolean hasOut;
    /** The code directory {@link #fill} linked into the task directory, or null. */
    private volatile Path filledWith;
    /** Whether {@link #secretsDir} made the box's secrets directory (bound read-only at {@code /run/secrets}). */
    private volatile boolean hasSecrets;

    private Box(Sandbox sandbox, int slot, int uid, Path dir, int ephemeralStorageMb) {
      this.sandbox = sandbox;
      this.slot = slot;
      this.uid = uid;
      this.dir = dir;
      this.ephemeralStorageMb = ephemeralStorageMb;
    }

    boolean isNone() {
      return sandbox == null;
    }

    /** The uid the box's processes run as; -1 without a sandbox. */
    int uid() {
      return uid;
    }

    /** The directory a pool runner's {@value #TASK_ROOT} shows, filled when a function takes it. */
    Path taskDir() {
      return dir.resolve("task");
    }

    /** Where the instance sees {@code codeDir}: {@value #TASK_ROOT} in a sandbox, else the directory itself. */
    String taskRoot(Path codeDir) {
      return isNone() ? codeDir.toString() : TASK_ROOT;
    }

    /**
     * A directory the box's uid may write, visible at the same path inside the sandbox (a layered
     * pool JVM's class initialisation log, an AOT training's cache); {@code fallback} without a sandbox.
     */
    Path writableDir(Path fallback) throws IOException {
      if (isNone()) {
        return fallback;
      }
      Path out = ownedDir("out", "rwx------");
      hasOut = true;
      return out;
    }

    /**
     * The box's directory for secret files, owned by its uid (mode 0500: the sandbox may read it,
     * not add to it), shown read-only at {@value dev.pilotlight.model.Secrets#SANDBOX_DIR} by
     * {@link #wrap} once made: made for a function with secret files before its command is
     * wrapped, and for every pool runner when it starts (its mounts are fixed before a function is
     * known). Removed with the box. Only in a sandbox.
     */
    Path secretsDir() throws IOException {
      if (isNone()) {
        throw new IllegalStateException("no sandbox: no secrets directory");
      }
      Path secrets = ownedDir("secrets", "r-x------");
      hasSecrets = true;
      return secrets;
    }

    /** The box's subdirectory {@code name}, made once with {@code mode} and owned by the box's uid. */
    private Path ownedDir(String name, String mode) throws IOException {
      Path d = dir.resolve(name);
      if (!Files.isDirectory(d)) {
        Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        Files.setAttribute(d, "unix:uid", uid);
        Files.setAttribute(d, "unix:gid", uid);
      }
      return d;
    }

    /**
     * {@code command} run in this box, joining {@code group} first: {@code code} (null: the box's
     * own {@link #taskDir}) read-only at {@value #TASK_ROOT} and the working directory, what
     * {@code show} names visible; arguments naming {@code code} are rewritten to {@value #TASK_ROOT}.
     */
    List<String> wrap(List<String> command, Path code, List<Path> show, Cgroups.Group group) {
      if (isNone()) {
        return group.wrap(command);
      }
      Path task = code == null ? taskDir() : code.toAbsolutePath().normalize();
      List<Path> visible = new ArrayList<>(sandbox.always);
      visible.addAll(show);
      List<String> argv = new ArrayList<>();
      argv.add(sandbox.bwrap.toString());
      argv.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--new-session",
          "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
          "--size", Long.toString(ephemeralStorageMb * 1024L * 1024L), "--perms", "1777", "--tmpfs", "/tmp"));
      argv.addAll(sandbox.visibility(visible));
      Path out = dir.resolve("out");
      if (hasOut) {
        Set<Path> roots = new LinkedHashSet<>(sandbox.hidden);
        roots.add(Path.of("/tmp"));
        for (Path parent : mountPointParents(out, roots)) {
          argv.addAll(List.of("--perms", "0755", "--dir", parent.toString()));
        }
        argv.addAll(List.of("--bind", out.toString(), out.toString()));
      }
      if (hasSecrets) {
        argv.addAll(List.of("--ro-bind", dir.resolve("secrets").toString(), dev.pilotlight.model.Secrets.SANDBOX_DIR));
      }
      argv.addAll(List.of("--ro-bind", task.toString(), TASK_ROOT, "--chdir", TASK_ROOT));
      if (sandbox.seccomp != null) {
        argv.addAll(List.of("--seccomp", "3"));
      }
      argv.add("--");
      argv.addAll(List.of(sandbox.setpriv.toString(), "--reuid", Integer.toString(uid), "--regid", Integer.toString(uid),
          "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
      String codePrefix = task.toString() + "/";
      for (String arg : command) {
        argv.add(arg.equals(task.toString()) ? TASK_ROOT : arg.startsWith(codePrefix) ? TASK_ROOT + arg.substring(task.toString().length()) : arg);
      }
      // One shell joins the cgroup and opens the filter on fd 3 for bwrap, then becomes bwrap.
      StringBuilder script = new StringBuilder(group.joinScript());
      script.append("exec \"$@\"");
      if (sandbox.seccomp != null) {
        script.append(" 3< '").append(sandbox.seccomp).append("'");
      }
      List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", script.toString(), "sh"));
      wrapped.addAll(argv);
      return wrapped;
    }

    /** Links {@code codeDir}'s files into {@link #taskDir} (a pool runner being given its function); copies across file systems. */
    void fill(Path codeDir) throws IOException {
      if (isNone() || codeDir.equals(filledWith)) {
        return; // a pool runner started for this code has it already (PoolRunners.Preload)
      }
      Path target = taskDir();
      try (Stream<Path> files = Files.walk(codeDir)) {
        for (Path source : (Iterable<Path>) files::iterator) {
          Path to = target.resolve(codeDir.relativize(source).toString());
          if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(to);
          } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            try {
              Files.createLink(to, source);
            } catch (FileAlreadyExistsException e) {
              throw new IOException("the sandbox's task directory was not empty: " + to, e);
            } catch (FileSystemException | UnsupportedOperationException e) {
              Files.copy(source, to);
            }
          }
        }
      }
      filledWith = codeDir;
    }

    /**
     * Asks the box's processes under {@code outer} (the bwrap the daemon started) to stop with
     * SIGTERM, so they can end cleanly (an app's JVM writes its AOT cache on the way out): bwrap
     * itself passes no signal on, and would take them down with SIGKILL if it got the signal.
     * False without a sandbox (signal the process itself then).
     */
    boolean terminate(ProcessHandle outer) {
      if (isNone()) {
        return false;
      }
      outer.descendants().filter(h -> runsAsBox(h.pid())).forEach(ProcessHandle::destroy);
      return true;
    }

    private boolean runsAsBox(long pid) {
      try {
        return Integer.valueOf(uid).equals(Files.getAttribute(Path.of("/proc", Long.toString(pid)), "unix:uid"));
      } catch (IOException | RuntimeException e) {
        return false; // gone
      }
    }

    /** Frees the uid and removes the box's directory (its private /tmp went with its mount namespace). */
    @Override
    public void close() {
      if (isNone() || closed) {
        return;
      }
      closed = true;
      FileTrees.deleteTreeQuietly(dir);
      sandbox.release(slot);
    }
  }
}
