package dev.pilotlight.executor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** A process that runs nothing: its output is given, its stdin recorded, and it exits when told to (or is stopped). */
final class FakeProcess extends Process {
  private static final AtomicLong PIDS = new AtomicLong(4_000_000);

  private final long pid = PIDS.incrementAndGet();
  private final byte[] output;
  private final ByteArrayOutputStream stdin = new ByteArrayOutputStream();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final Handle handle = new Handle();

  FakeProcess() {
    this("");
  }

  /** @param output what it prints on stdout before its pipe ends */
  FakeProcess(String output) {
    this.output = output.getBytes(StandardCharsets.UTF_8);
  }

  /** Ends the process with {@code code}, as if it had exited by itself. */
  void exit(int code) {
    exit.complete(code);
  }

  /** What was written to its stdin. */
  String stdin() {
    return stdin.toString(StandardCharsets.UTF_8);
  }

  @Override
  public OutputStream getOutputStream() {
    return stdin;
  }

  @Override
  public InputStream getInputStream() {
    return new ByteArrayInputStream(output);
  }

  @Override
  public InputStream getErrorStream() {
    return InputStream.nullInputStream();
  }

  @Override
  public int waitFor() {
    return exit.join();
  }

  @Override
  public int exitValue() {
    Integer code = exit.getNow(null);
    if (code == null) {
      throw new IllegalThreadStateException("still running");
    }
    return code;
  }

  @Override
  public void destroy() {
    exit.complete(143);
  }

  @Override
  public Process destroyForcibly() {
    exit.complete(137);
    return this;
  }

  @Override
  public boolean isAlive() {
    return !exit.isDone();
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public CompletableFuture<Process> onExit() {
    return exit.thenApply(code -> this);
  }

  @Override
  public ProcessHandle toHandle() {
    return handle;
  }

  private final class Handle implements ProcessHandle {
    @Override
    public long pid() {
      return pid;
    }

    @Override
    public Optional<ProcessHandle> parent() {
      return Optional.empty();
    }

    @Override
    public Stream<ProcessHandle> children() {
      return Stream.empty();
    }

    @Override
    public Stream<ProcessHandle> descendants() {
      return Stream.empty();
    }

    @Override
    public Info info() {
      return new Info() {
        @Override
        public Optional<String> command() {
          return Optional.empty();
        }

        @Override
        public Optional<String> commandLine() {
          return Optional.empty();
        }

        @Override
        public Optional<String[]> arguments() {
          return Optional.empty();
        }

        @Override
        public Optional<Instant> startInstant() {
          return Optional.empty();
        }

        @Override
        public Optional<Duration> totalCpuDuration() {
          return Optional.empty();
        }

        @Override
        public Optional<String> user() {
          return Optional.empty();
        }
      };
    }

    @Override
    public CompletableFuture<ProcessHandle> onExit() {
      return exit.thenApply(code -> this);
    }

    @Override
    public boolean supportsNormalTermination() {
      return true;
    }

    @Override
    public boolean destroy() {
      FakeProcess.this.destroy();
      return true;
    }

    @Override
    public boolean destroyForcibly() {
      FakeProcess.this.destroyForcibly();
      return true;
    }

    @Override
    public boolean isAlive() {
      return FakeProcess.this.isAlive();
    }

    @Override
    public int compareTo(ProcessHandle other) {
      return Long.compare(pid, other.pid());
    }
  }
}
