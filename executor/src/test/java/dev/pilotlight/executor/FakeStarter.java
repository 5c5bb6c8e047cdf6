package dev.pilotlight.executor;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A ProcessStarter that starts FakeProcesses and remembers what it was asked to start; or refuses, like a fork that fails. */
final class FakeStarter implements ProcessStarter {
  /** One start: the command, the directory, the environment and where stdin came from. */
  record Started(List<String> command, File directory, Map<String, String> environment, ProcessBuilder.Redirect stdin, FakeProcess process) {}

  final List<Started> started = new CopyOnWriteArrayList<>();
  private volatile String refusal;

  /** Makes every later start fail with an IOException saying {@code why}. */
  FakeStarter refuse(String why) {
    this.refusal = why;
    return this;
  }

  @Override
  public Process start(ProcessBuilder builder) throws IOException {
    if (refusal != null) {
      throw new IOException(refusal);
    }
    FakeProcess p = new FakeProcess();
    started.add(new Started(List.copyOf(builder.command()), builder.directory(), Map.copyOf(builder.environment()), builder.redirectInput(), p));
    return p;
  }

  Started only() {
    if (started.size() != 1) {
      throw new AssertionError("expected one start, got " + started.size() + ": " + started);
    }
    return started.getFirst();
  }
}
