package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a deploy does after the upload, told as it happens on stderr: the upload and unpacking,
 * then what the daemon prepares in the background for the new revision (its AOT cache training,
 * its snapshot), read from the function's {@code preparation} status until each step is
 * {@code ready} or {@code failed}. On a terminal one line is rewritten in place; elsewhere each
 * change is a line of its own.
 */
final class DeployProgress {
  /** What the status calls each step. */
  private static final Map<String, String> STEPS = Map.of("aot", "AOT cache", "snapshot", "snapshot");

  /** How often the status is read while waiting. */
  static final Duration POLL = Duration.ofMillis(250);

  private final PrintStream err;
  private final boolean terminal;
  private String shown = "";

  DeployProgress(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /** Whether this process writes to a terminal (so progress may rewrite its line). */
  static boolean onTerminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal() && !"dumb".equals(System.getenv("TERM"));
  }

  void uploading(String name, long bytes) {
    if (terminal) {
      show("uploading " + name + " (" + Formats.size(bytes) + ")…");
    }
  }

  void uploaded(long millis) {
    if (terminal) {
      show("uploaded and unpacked in " + millis + " ms");
    }
  }

  /** The preparation steps of {@code revision} in the function object {@code f}, by step: {@code queued}, {@code running}, {@code ready …}. */
  static Map<String, JsonNode> steps(JsonNode f, long revision) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    f.path("preparation").properties().forEach(e -> {
      if (e.getValue().path("revision").asLong() == revision) {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  /** Whether every step in {@code steps} has ended ({@code ready} or {@code failed}). */
  static boolean done(Map<String, JsonNode> steps) {
    return steps.values().stream().allMatch(s -> s.path("state").asText().equals("ready") || s.path("state").asText().equals("failed"));
  }

  /** One line for the steps: {@code AOT cache: running · snapshot: queued}. */
  static String describe(Map<String, JsonNode> steps) {
    List<String> parts = new ArrayList<>();
    steps.forEach((step, s) -> {
      String state = s.path("state").asText();
      String detail = s.path("detail").asText("");
      parts.add(STEPS.getOrDefault(step, step) + ": " + state + (detail.isEmpty() ? "" : " (" + detail + ")"));
    });
    return String.join(" · ", parts);
  }

  /** When not waiting: one line saying what goes on in the background, if anything does. */
  void background(String name, JsonNode f, long revision) {
    Map<String, JsonNode> steps = steps(f, revision);
    if (terminal) {
      clear();
    }
    if (!steps.isEmpty() && !done(steps)) {
      err.println("preparing in the background: " + describe(steps) + " (pilotlight status " + name + " shows it; deploy --wait waits)");
    }
  }

  /**
   * Reads the function's status until every preparation step of {@code revision} has ended, or
   * {@code limit} passed; says each change. Returns the steps as they last were.
   */
  Map<String, JsonNode> await(DaemonClient client, String name, long revision, JsonNode first, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    Map<String, JsonNode> steps = steps(first, revision);
    String last = null;
    while (true) {
      String now = describe(steps);
      if (!now.equals(last) && !steps.isEmpty()) {
        if (terminal) {
          show("preparing: " + now);
        } else {
          err.println("preparing: " + now);
        }
        last = now;
      }
      if (done(steps)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        clear();
        err.println("still preparing after " + limit.toSeconds() + " s; it goes on in the background (pilotlight status " + name + ")");
        return steps;
      }
      Thread.sleep(POLL.toMillis());
      steps = steps(client.getJson(DaemonClient.functionPath(name)), revision);
    }
    clear();
    if (!steps.isEmpty()) {
      err.println("prepared: " + describe(steps));
    }
    return steps;
  }

  private void show(String line) {
    err.print("\r\033[K" + line);
    err.flush();
    shown = line;
  }

  /** Takes a progress line off the terminal, before other output. */
  void clear() {
    if (terminal && !shown.isEmpty()) {
      err.print("\r\033[K");
      err.flush();
      shown = "";
    }
  }
}
