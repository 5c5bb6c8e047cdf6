package dev.pilotlight.bench;

import java.nio.charset.StandardCharsets;

/** The one answer every benchmarked example must give; a different one fails the benchmark. */
final class Expect {
  /** Who the examples greet: the query {@code ?name=Ann} or the event {@code {"name":"Ann"}}. */
  static final String NAME = "Ann";
  static final String QUERY = "/?name=" + NAME;
  static final String EVENT = "{\"name\":\"" + NAME + "\"}";
  static final String GREETING = "Hello, " + NAME;

  private Expect() {}

  /** Checks an HTTP answer: status 200 and the greeting in the body. */
  static void greeting(String what, int status, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (status != 200 || !text.contains(GREETING)) {
      throw new BenchFailure(what + ": expected 200 with '" + GREETING + "', got " + status + ": " + abbreviate(text));
    }
  }

  /** Checks a plain process's result: exit code 0 and the greeting on stdout. */
  static void processGreeting(String what, int exitCode, String output) {
    if (exitCode != 0 || !output.contains(GREETING)) {
      throw new BenchFailure(what + ": expected exit 0 with '" + GREETING + "', got exit " + exitCode + ": " + abbreviate(output));
    }
  }

  static String abbreviate(String text) {
    String t = text.strip();
    return t.length() > 300 ? t.substring(0, 300) + "…" : t;
  }
}
