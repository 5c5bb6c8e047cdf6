package dev.pilotlight.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Waits for the AOT cache trainings the daemon queues at deploy time (one at a time, in the
 * background: a JVM running the function's init, seconds of CPU), so that they neither run while
 * the clock runs nor leave the {@code aot} rung without its cache. The daemon logs one line per
 * function when its training ends ({@code AOT cache ready …}, {@code … training failed …},
 * {@code … not built …}); the pool runners' own cache is trained first, so it is done by then too.
 */
final class AotTraining {
  static final Duration LIMIT = Duration.ofSeconds(180);

  private AotTraining() {}

  /**
   * Polls each function's log until its training has ended, at most {@link #LIMIT} in all;
   * returns the functions whose training had not ended by then.
   */
  static List<String> await(DaemonApi api, List<String> functions, PrintStream progress) throws IOException, InterruptedException {
    return await(api, functions, progress, "the AOT cache trainings", AotTraining::outcome);
  }

  /**
   * The same for the snapshots an {@code http} app's deploy makes after its training (the daemon logs
   * {@code snapshot ready …} or {@code snapshot not made …}); only for a daemon that has CRIU.
   */
  static List<String> awaitSnapshots(DaemonApi api, List<String> functions, PrintStream progress) throws IOException, InterruptedException {
    return await(api, functions, progress, "the snapshots", AotTraining::snapshotOutcome);
  }

  private static List<String> await(DaemonApi api, List<String> functions, PrintStream progress, String what,
      Function<String, String> outcomeOf) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    List<String> pending = new ArrayList<>(functions);
    if (!pending.isEmpty()) {
      progress.println("waiting for " + what + " of " + String.join(", ", pending) + "…");
    }
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      for (var it = pending.iterator(); it.hasNext(); ) {
        String function = it.next();
        String outcome = outcomeOf.apply(api.logs(function, 200));
        if (outcome != null) {
          progress.println(function + ": " + outcome);
          it.remove();
        }
      }
      if (!pending.isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(250);
      }
    }
    return pending;
  }

  /** The log line that ends the making of a function's snapshot (from {@code snapshot}), or null while it runs. */
  static String snapshotOutcome(String log) {
    for (String line : log.split("\n")) {
      int at = line.indexOf("snapshot ");
      if (at >= 0 && (line.contains("snapshot ready") || line.contains("snapshot not made"))) {
        return line.substring(at).strip();
      }
    }
    return null;
  }

  /** The log line that ends a function's training (what follows the prefix), or null while it runs. */
  static String outcome(String log) {
    for (String line : log.split("\n")) {
      int at = line.indexOf("AOT cache ");
      if (at >= 0 && (line.contains("AOT cache ready") || line.contains("training failed") || line.contains("not built"))) {
        return line.substring(at).strip();
      }
    }
    return null;
  }
}
