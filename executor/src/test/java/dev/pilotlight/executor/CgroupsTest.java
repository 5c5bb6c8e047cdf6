package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup files written for an instance, on a stand-in cgroup tree of plain files (v1 and v2). */
class CgroupsTest {
  @TempDir
  Path root;

  private void v1() throws IOException {
    for (String c : List.of("memory", "pids", "cpu")) {
      Files.createDirectories(root.resolve(c));
      Files.writeString(root.resolve(c).resolve("cgroup.procs"), "");
    }
  }

  @Test
  void v1GetsMemoryPidsAndCpuLimitsInThreeHierarchies() throws IOException {
    v1();
    Cgroups.Detection d = Cgroups.detect(root, "pilotlight-x");
    assertThat(d.reason()).isNull();
    assertThat(d.cgroups().version()).isEqualTo(Cgroups.Version.V1);
    Cgroups.Group g = d.cgroups().create("fn-1", 256);
    assertThat(Files.readString(root.resolve("memory/pilotlight-x/fn-1/memory.limit_in_bytes"))).isEqualTo(Long.toString(256L << 20));
    assertThat(Files.readString(root.resolve("pids/pilotlight-x/fn-1/pids.max"))).isEqualTo("1024");
    assertThat(Files.readString(root.resolve("cpu/pilotlight-x/fn-1/cpu.shares"))).isEqualTo(Long.toString(256L * 1024 / 1769));

    g.limit(1769);
    assertThat(Files.readString(root.resolve("memory/pilotlight-x/fn-1/memory.limit_in_bytes"))).isEqualTo(Long.toString(1769L << 20));
    assertThat(Files.readString(root.resolve("cpu/pilotlight-x/fn-1/cpu.shares"))).as("one vCPU at 1,769 MB").isEqualTo("1024");
  }

  @Test
  void v1KeepsSwapAtTheLimitWhenItCanBeSet() throws IOException {
    v1();
    Cgroups cg = Cgroups.detect(root, "p").cgroups();
    Path dir = root.resolve("memory/p/fn-2");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("memory.memsw.limit_in_bytes"), "9223372036854771712");
    Cgroups.Group g = cg.create("fn-2", 128);
    assertThat(Files.readString(dir.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(128L << 20));
    g.limit(512);
    assertThat(Files.readString(dir.resolve("memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(512L << 20));
    assertThat(Files.readString(dir.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(512L << 20));
  }

  @Test
  void v2GetsItsLimitsInOneGroup() throws IOException {
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
    Cgroups.Detection d = Cgroups.detect(root, "p");
    assertThat(d.cgroups().version()).isEqualTo(Cgroups.Version.V2);
    assertThat(Files.readString(root.resolve("p/cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
    Path dir = root.resolve("p/fn-3");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("memory.swap.max"), "max");
    Files.writeString(dir.resolve("cpu.weight"), "100");
    d.cgroups().create("fn-3", 3538);
    assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(3538L << 20));
    assertThat(Files.readString(dir.resolve("memory.swap.max"))).isEqualTo("0");
    assertThat(Files.readString(dir.resolve("cpu.weight"))).isEqualTo("200");
    assertThat(Files.readString(dir.resolve("pids.max"))).isEqualTo("1024");
  }

  @Test
  void aBackgroundGroupBootsAtTheLowestCpuWeightAndGetsItsOwnWhenItServes() throws IOException {
    v1();
    Cgroups cg = Cgroups.detect(root, "p").cgroups();
    Path shares = root.resolve("cpu/p/fn-5/cpu.shares");
    Cgroups.Group g = cg.create("fn-5", 1769, true);
    assertThat(Files.readString(shares)).isEqualTo("2");
    assertThat(Files.readString(root.resolve("memory/p/fn-5/memory.limit_in_bytes"))).as("limits as ever").isEqualTo(Long.toString(1769L << 20));
    g.weigh(1769);
    assertThat(Files.readString(shares)).isEqualTo("1024");
    cg.create("fn-6", 1769, false);
    assertThat(Files.readString(root.resolve("cpu/p/fn-6/cpu.shares"))).isEqualTo("1024");

    Cgroups.Group runner = cg.create("pool-1", 128, true);
    runner.limit(1769); // a pool runner taken by a function gets the function's weight with its limits
    assertThat(Files.readString(root.resolve("cpu/p/pool-1/cpu.shares"))).isEqualTo("1024");
  }

  @Test
  void aRunnerTakenAtItsPoolsSizeKeepsItsLimitsAndGetsItsWeight() throws IOException {
    v1();
    Cgroups cg = Cgroups.detect(root, "p").cgroups();
    Path limit = root.resolve("memory/p/pool-2/memory.limit_in_bytes");
    Cgroups.Group runner = cg.create("pool-2", 1769, true);
    Files.writeString(limit, "set at start"); // stands in for the limit the kernel holds
    runner.limit(1769);
    assertThat(Files.readString(limit)).as("not written again on the cold path").isEqualTo("set at start");
    assertThat(Files.readString(root.resolve("cpu/p/pool-2/cpu.shares"))).isEqualTo("1024");
    runner.limit(512);
    assertThat(Files.readString(limit)).isEqualTo(Long.toString(512L << 20));
  }

  @Test
  void theMemoryLimitAloneLeavesTheWeightForLater() throws IOException {
    v1();
    Cgroups cg = Cgroups.detect(root, "p").cgroups();
    Path shares = root.resolve("cpu/p/pool-3/cpu.shares");
    Cgroups.Group runner = cg.create("pool-3", 128, true);
    runner.limitMemory(1769);
    assertThat(Files.readString(root.resolve("memory/p/pool-3/memory.limit_in_bytes"))).isEqualTo(Long.toString(1769L << 20));
    assertThat(Files.readString(shares)).as("still a waiting runner's").isEqualTo("2");
    Path limit = root.resolve("memory/p/pool-3/memory.limit_in_bytes");
    Files.writeString(limit, "set before"); // stands in for the limit the kernel holds
    runner.limitMemory(1769); // the size it has: nothing written
    assertThat(Files.readString(limit)).isEqualTo("set before");
    runner.weigh(1769);
    assertThat(Files.readString(shares)).isEqualTo("1024");
  }

  @Test
  void aBackgroundGroupInV2GetsWeightOne() throws IOException {
    Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
    Cgroups cg = Cgroups.detect(root, "p").cgroups();
    Path dir = root.resolve("p/fn-7");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("cpu.weight"), "100");
    Cgroups.Group g = cg.create("fn-7", 3538, true);
    assertThat(Files.readString(dir.resolve("cpu.weight"))).isEqualTo("1");
    g.weigh(3538);
    assertThat(Files.readString(dir.resolve("cpu.weight"))).isEqualTo("200");
  }

  @Test
  void withoutControllersThereAreNoCgroupsAndTheReasonSaysWhy() throws IOException {
    assertThat(Cgroups.detect(root, "p").reason()).contains("no cgroup");
    Files.writeString(root.resolve("cgroup.controllers"), "cpu io\n");
    assertThat(Cgroups.detect(root, "p").reason()).contains("no memory and pids");
    Cgroups.Group none = Cgroups.NONE.create("x", 128);
    assertThat(none.isNone()).isTrue();
    assertThat(none.wrap(List.of("java", "-version"))).containsExactly("java", "-version");
  }

  @Test
  void aProcessJoinsEveryHierarchyBeforeItsCommandRuns() throws IOException {
    v1();
    Cgroups.Group g = Cgroups.detect(root, "p").cgroups().create("fn-4", 128);
    List<String> cmd = g.wrap(List.of("python3", "-c", "print('a b')"));
    assertThat(cmd.subList(0, 2)).containsExactly("/bin/sh", "-c");
    assertThat(cmd.get(2)).contains("echo $$ > '" + root.resolve("memory/p/fn-4/cgroup.procs") + "' || exit 125")
        .contains(root.resolve("pids/p/fn-4/cgroup.procs").toString()).contains(root.resolve("cpu/p/fn-4/cgroup.procs").toString())
        .endsWith("exec \"$@\"");
    assertThat(cmd.subList(3, cmd.size())).containsExactly("sh", "python3", "-c", "print('a b')");
  }

  @Test
  void oomKillsAndPeaksAreReadFromTheGroup() throws IOException {
    v1();
    Cgroups.Group g = Cgroups.detect(root, "p").cgroups().create("fn-5", 128);
    Path dir = root.resolve("memory/p/fn-5");
    Files.writeString(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    Files.writeString(dir.resolve("memory.max_usage_in_bytes"), "4096\n");
    assertThat(g.oomKilled()).isFalse();
    assertThat(g.peakBytes()).isEqualTo(4096);
    Files.writeString(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
    assertThat(g.oomKilled()).isTrue();
    g.remove();
    assertThat(dir).doesNotExist();
  }

  @Test
  void theSweepRemovesWhatAnEarlierDaemonLeft() throws IOException {
    v1();
    Cgroups cg = Cgroups.detect(root, "p").cgroups();
    cg.create("old-1", 128);
    cg.create("old-2", 128);
    cg.sweep();
    try (var left = Files.list(root.resolve("memory/p"))) {
      assertThat(left).isEmpty();
    }
  }
}
