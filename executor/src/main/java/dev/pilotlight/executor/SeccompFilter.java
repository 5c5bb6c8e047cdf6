package dev.pilotlight.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The seccomp filter every sandbox loads: system calls a function never needs fail with
 * {@code EPERM} — tracing and reading other processes' memory, mounting and namespaces, loading
 * kernel code, BPF and perf, keyrings, the clock, rebooting and swapping. Everything else is allowed
 * (a deny list: runtimes need the rest and change what they call).
 *
 * <p>Compiled to BPF once at daemon start by libseccomp, through its Python binding (Debian's
 * {@code python3-seccomp}, run by {@code /usr/bin/python3}); bubblewrap loads the result
 * ({@code --seccomp}).
 */
final class SeccompFilter {
  /** The refused system calls (libseccomp's names; one this kernel or libseccomp does not know is skipped). */
  static final List<String> DENIED = List.of(
      "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
      "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick",
      "mount_setattr", "unshare", "setns",
      "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "bpf", "perf_event_open", "userfaultfd",
      "add_key", "request_key", "keyctl",
      "settimeofday", "clock_settime",
      "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "vhangup", "iopl", "ioperm",
      "open_by_handle_at", "name_to_handle_at", "lookup_dcookie");

  /** The filter's file, or null with why there is none. */
  record Result(Path file, String note) {}

  private SeccompFilter() {}

  /** Writes the filter to {@code file}; {@code PILOTLIGHT_SECCOMP=off} turns it off. */
  static Result compile(Path file, Map<String, String> env) {
    if ("off".equals(env.get("PILOTLIGHT_SECCOMP"))) {
      return new Result(null, "PILOTLIGHT_SECCOMP=off");
    }
    Path python = Path.of(env.getOrDefault("PILOTLIGHT_SECCOMP_PYTHON", "/usr/bin/python3"));
    if (!Files.isExecutable(python)) {
      return new Result(null, "no " + python + " to compile it with (install Debian's python3-seccomp)");
    }
    String script = String.join("\n",
        "import errno, sys, seccomp",
        "f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)",
        "for name in sys.argv[2:]:",
        "    try:",
        "        f.add_rule(seccomp.ERRNO(errno.EPERM), name)",
        "    except Exception:",
        "        pass",
        "with open(sys.argv[1], 'wb') as out:",
        "    f.export_bpf(out)");
    try {
      Files.deleteIfExists(file);
      List<String> cmd = new ArrayList<>(List.of(python.toString(), "-c", script, file.toString()));
      cmd.addAll(DENIED);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(null, "compiling it took over 20 s");
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(file) || Files.size(file) == 0) {
        String why = new String(out).strip();
        return new Result(null, why.contains("No module named 'seccomp'")
            ? "libseccomp's Python binding is missing (install Debian's python3-seccomp)"
            : "compiling it failed: " + lastLine(why));
      }
      return new Result(file, null);
    } catch (IOException e) {
      return new Result(null, "compiling it failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(null, "interrupted");
    }
  }

  private static String lastLine(String text) {
    int nl = text.lastIndexOf('\n');
    return nl < 0 ? text : text.substring(nl + 1);
  }
}
