package dev.pilotlight.executor;

/**
 * Platform threads for work that blocks in a way a virtual thread cannot unmount from: reading a
 * child process's pipes, waiting on a child, JNI calls.
 *
 * <p>Why not virtual threads: a read on a process pipe ({@code FileInputStream}) blocks inside
 * native code and holds its carrier thread. The JDK compensates for some such reads with a
 * temporary extra carrier, but the compensation ends while the read goes on; an idle instance's
 * stdout and stderr readers then hold the scheduler's carriers indefinitely (on a 2-core host, two
 * carriers: one idle Java instance is enough), and every other virtual thread — the management
 * API's requests among them — waits runnable and never runs. One platform thread per pipe costs a
 * small stack and nothing while blocked.
 */
final class PipeThreads {
  /** Enough for a line-reading loop; the default 1 MiB (or 512 KiB under {@code -Xss512k}) is reserved per thread for nothing. */
  private static final long STACK_BYTES = 256 * 1024;

  private PipeThreads() {}

  /** Starts a daemon platform thread named {@code name}. */
  static Thread start(String name, Runnable task) {
    return Thread.ofPlatform().daemon().name(name).stackSize(STACK_BYTES).start(task);
  }
}
