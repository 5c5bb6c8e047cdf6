package dev.pilotlight.bench;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where and how a run was made, printed under its tables.
 *
 * @param cores available processors
 * @param javaVersion {@code java.version} of the JVM running the benchmark
 * @param date when the run started
 * @param runs N, the cold starts per rung and baseline of each example
 * @param warm M, the warm requests per example
 */
record RunInfo(int cores, String javaVersion, ZonedDateTime date, int runs, int warm) {

  static RunInfo current(int runs, int warm) {
    return new RunInfo(Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        ZonedDateTime.now().withNano(0), runs, warm);
  }

  /** The machine and date, without the coldstart counts. */
  String machine() {
    return "machine: " + cores + " cores, java " + javaVersion + "; date: " + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(date);
  }

  String describe() {
    return "machine: " + cores + " cores, java " + javaVersion
        + "; date: " + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(date)
        + "; N = " + runs + " cold starts per rung and baseline, M = " + warm + " warm requests per example";
  }
}
