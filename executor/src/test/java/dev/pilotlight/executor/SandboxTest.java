package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a command is wrapped in a sandbox, which uid each box gets, what is shown and hidden; no process is started. */
class SandboxTest {
  @TempDir
  Path tmp;

  private Sandbox sandbox(Path seccomp) throws IOException {
    Path data = Files.createDirectories(tmp.resolve("data"));
    return Sandbox.of(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/setpriv"), seccomp, seccomp == null ? "off for the test" : null,
        Files.createDirectories(data.resolve("sandbox")), List.of(data), List.of(), 300_000);
  }

  @Test
  void aCommandRunsAsItsBoxsUidInItsOwnNamespacesWithItsCodeReadOnlyAtTheTaskRoot() throws IOException {
    Path filter = Files.writeString(tmp.resolve("seccomp.bpf"), "bpf");
    Sandbox s = sandbox(filter);
    Path code = Files.createDirectories(tmp.resolve("data/artifacts/code/abc"));
    try (Sandbox.Box box = s.open(1024)) {
      List<String> argv = box.wrap(List.of("/usr/bin/python3", "-u", "/opt/runtimes/python/bootstrap.py"), code, List.of(), Cgroups.Group.NONE);
      assertThat(argv.subList(0, 2)).containsExactly("/bin/sh", "-c");
      assertThat(argv.get(2)).isEqualTo("exec \"$@\" 3< '" + filter + "'");
      String joined = String.join(" ", argv);
      assertThat(joined).contains("/usr/bin/bwrap --unshare-pid --unshare-ipc --unshare-uts --new-session",
          "--ro-bind / / --dev /dev --proc /proc", "--size " + 1024L * 1024 * 1024 + " --perms 1777 --tmpfs /tmp",
          "--ro-bind " + code + " /var/task --chdir /var/task", "--seccomp 3",
          "-- /usr/bin/setpriv --reuid 300000 --regid 300000 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "
              + "/usr/bin/python3 -u /opt/runtimes/python/bootstrap.py");
      // the data dir is an empty tmpfs in the sandbox (under /tmp, the private /tmp hides it already)
      if (tmp.startsWith("/tmp")) {
        assertThat(joined).doesNotContain("--tmpfs " + tmp.resolve("data"));
      } else {
        assertThat(joined).contains("--tmpfs " + tmp.resolve("data"));
      }
      assertThat(box.taskRoot(code)).isEqualTo("/var/task");
    }
  }

  @Test
  void withoutAFilterThereIsNoSeccompArgumentAndNoFileDescriptor() throws IOException {
    try (Sandbox.Box box = sandbox(null).open(512)) {
      List<String> argv = box.wrap(List.of("/bin/true"), null, List.of(), Cgroups.Group.NONE);
      assertThat(argv.get(2)).isEqualTo("exec \"$@\"");
      assertThat(argv).doesNotContain("--seccomp");
      assertThat(String.join(" ", argv)).contains("--ro-bind " + box.taskDir() + " /var/task");
    }
  }

  @Test
  void argumentsNamingTheCodeDirectoryAreRewrittenToTheTaskRoot() throws IOException {
    Path code = Files.createDirectories(tmp.resolve("code"));
    try (Sandbox.Box box = sandbox(null).open(512)) {
      List<String> argv = box.wrap(List.of(code.resolve("bootstrap").toString(), code.toString(), code + "x"), code, List.of(),
          Cgroups.Group.NONE);
      assertThat(argv.subList(argv.size() - 3, argv.size())).containsExactly("/var/task/bootstrap", "/var/task", code + "x");
    }
  }

  @Test
  void eachLiveBoxHasAUidOfItsOwnAndAClosedBoxsUidIsReused() throws IOException {
    Sandbox s = sandbox(null);
    Sandbox.Box a = s.open(512);
    Sandbox.Box b = s.open(512);
    assertThat(a.uid()).isEqualTo(300_000);
    assertThat(b.uid()).isEqualTo(300_001);
    assertThat(Files.isDirectory(a.taskDir())).isTrue();
    a.close();
    a.close(); // twice is harmless
    assertThat(Files.exists(a.taskDir())).as("its directory goes with it").isFalse();
    assertThat(s.alive()).isEqualTo(1);
    try (Sandbox.Box c = s.open(512)) {
      assertThat(c.uid()).isEqualTo(300_000);
    }
    b.close();
    assertThat(s.alive()).isZero();
  }

  @Test
  void noSandboxLeavesTheCommandAsItIs() throws IOException {
    assertThat(Sandbox.NONE.enabled()).isFalse();
    Sandbox.Box box = Sandbox.NONE.open(512);
    assertThat(box.isNone()).isTrue();
    assertThat(box.uid()).isEqualTo(-1);
    assertThat(box.wrap(List.of("/bin/true"), tmp, List.of(), Cgroups.Group.NONE)).containsExactly("/bin/true");
    assertThat(box.taskRoot(tmp)).isEqualTo(tmp.toString());
    assertThat(Sandbox.off("why").describe()).isEqualTo("off (why)");
  }

  @Test
  void whatIsUnderAHiddenOrClosedDirectoryIsBoundAndTheClosedDirectoryHidden() throws IOException {
    Sandbox s = sandbox(null);
    Path cache = Files.writeString(Files.createDirectories(tmp.resolve("data/aot")).resolve("fn.aot"), "cache");
    Path closed = Files.createDirectories(tmp.resolve("home"));
    Path python = Files.createDirectories(closed.resolve("pyenv/3.11"));
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    Path open = Files.createDirectories(tmp.resolve("usr"));
    List<String> args = s.visibility(List.of(cache, python, open, tmp.resolve("missing")));
    String joined = String.join(" ", args);
    assertThat(joined).contains("--tmpfs " + closed, "--ro-bind " + cache + " " + cache, "--ro-bind " + python + " " + python);
    if (!tmp.startsWith("/tmp")) {
      assertThat(joined).contains("--tmpfs " + tmp.resolve("data"));
    }
    // exactly the one file of the data dir, not the directory of every function's caches
    assertThat(joined).doesNotContain("--ro-bind " + cache.getParent() + " ");
    // hidden directories are mounted before what is bound inside them
    assertThat(args.indexOf(closed.toString())).isLessThan(args.indexOf(python.toString()));
    assertThat(joined).doesNotContain("missing");
    // the directories bwrap makes on the way to a mount point are open to the sandbox's uid
    assertThat(joined).contains("--perms 0755 --dir " + closed.resolve("pyenv"));
  }

  @Test
  void theDirectoriesOnTheWayToAMountInATmpfsAreMadeOpen() {
    assertThat(Sandbox.mountPointParents(Path.of("/tmp/clone/dist/lib"), java.util.Set.of(Path.of("/tmp"))))
        .containsExactly(Path.of("/tmp/clone"), Path.of("/tmp/clone/dist"));
    assertThat(Sandbox.mountPointParents(Path.of("/usr/lib/jvm"), java.util.Set.of(Path.of("/tmp")))).isEmpty();
  }

  @Test
  void aPoolRunnersTaskDirectoryIsFilledWithLinksToTheCode() throws IOException {
    Path code = Files.createDirectories(tmp.resolve("data/artifacts/code/abc"));
    Files.writeString(code.resolve("app.py"), "x");
    Files.writeString(Files.createDirectories(code.resolve("lib/pkg")).resolve("mod.py"), "y");
    try (Sandbox.Box box = sandbox(null).open(512)) {
      box.fill(code);
      assertThat(Files.isSameFile(box.taskDir().resolve("app.py"), code.resolve("app.py"))).isTrue();
      assertThat(Files.readString(box.taskDir().resolve("lib/pkg/mod.py"))).isEqualTo("y");
      assertThat(Files.getAttribute(box.taskDir().resolve("app.py"), "unix:ino")).isEqualTo(Files.getAttribute(code.resolve("app.py"), "unix:ino"));
      // a runner started for this code (filled then) is given it again at the hand-off: nothing to do
      box.fill(code);
      // never another function's code over it
      Path other = Files.createDirectories(tmp.resolve("data/artifacts/code/def"));
      Files.writeString(other.resolve("app.py"), "z");
      assertThatThrownBy(() -> box.fill(other)).isInstanceOf(IOException.class).hasMessageContaining("not empty");
    }
  }

  @Test
  void theAbsolutePathsACommandLineNamesAreFound() throws IOException {
    Path jar = Files.writeString(tmp.resolve("runner.jar"), "");
    Path aot = Files.writeString(tmp.resolve("fn.aot"), "");
    List<Path> found = Sandbox.pathsNamedIn(List.of("java", "-XX:AOTCache=" + aot, "-cp", jar + ":" + tmp.resolve("gone.jar"), "-Xmx256m"));
    // nothing is read: what does not exist is left to visibility, which skips it
    assertThat(found).containsExactly(aot, jar, tmp.resolve("gone.jar"));
    assertThat(Sandbox.pathsNamedIn(Collections.emptyList())).isEmpty();
  }

  @Test
  void anInterpretersInstallationIsTheDirectoryAboveItsBin() {
    assertThat(Sandbox.installation(Path.of("/root/.pyenv/versions/3.11.7/bin/python3.11"))).isEqualTo(Path.of("/root/.pyenv/versions/3.11.7"));
    assertThat(Sandbox.installation(Path.of("/opt/node/node"))).isEqualTo(Path.of("/opt/node"));
  }

  @Test
  void aBoxShowsItsSecretsDirectoryReadOnlyAtRunSecretsOnlyOnceItHasOne() throws IOException {
    try (Sandbox.Box box = sandbox(null).open(512)) {
      assertThat(String.join(" ", box.wrap(List.of("/bin/true"), null, List.of(), Cgroups.Group.NONE))).doesNotContain("/run/secrets");
      Path dir = box.secretsDir();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("r-x------");
      assertThat(Files.getAttribute(dir, "unix:uid")).isEqualTo(300_000);
      assertThat(String.join(" ", box.wrap(List.of("/bin/true"), null, List.of(), Cgroups.Group.NONE)))
          .contains("--ro-bind " + dir + " /run/secrets --ro-bind " + box.taskDir() + " /var/task");
    }
  }
}
