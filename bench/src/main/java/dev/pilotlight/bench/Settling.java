package dev.pilotlight.bench;

import java.util.List;

/**
 * Whether the instance count settled under steady load: how often it changed, how often it turned
 * around (up then down, or down then up: flapping), and when it last changed.
 *
 * @param changes times the ready count changed after the ramp-up
 * @param reversals times it changed direction after the ramp-up (0 = no flapping)
 * @param lastChangeMs when it last changed, in ms since the phase start
 * @param minReady fewest instances ready after the ramp-up
 * @param maxReady most instances ready after the ramp-up
 */
record Settling(int changes, int reversals, long lastChangeMs, int minReady, int maxReady) {

  /**
   * The ramp-up is the first run of non-decreasing ready counts from the start of the phase, up to
   * the first sample at which the count has not changed for {@code quietMs}; what follows is
   * judged.
   */
  static Settling of(List<InstanceWatch.Sample> samples, long quietMs) {
    if (samples.isEmpty()) {
      return new Settling(0, 0, -1, 0, 0);
    }
    int i = 0;
    long sameSince = samples.get(0).atMs();
    while (i + 1 < samples.size()) {
      InstanceWatch.Sample a = samples.get(i);
      InstanceWatch.Sample b = samples.get(i + 1);
      if (b.ready() < a.ready()) {
        break; // a decrease ends the ramp
      }
      if (b.ready() != a.ready()) {
        sameSince = b.atMs();
      } else if (b.atMs() - sameSince >= quietMs) {
        break;
      }
      i++;
    }
    int changes = 0;
    int reversals = 0;
    int direction = 0;
    long lastChange = samples.get(i).atMs();
    int min = samples.get(i).ready();
    int max = min;
    for (int j = i + 1; j < samples.size(); j++) {
      int delta = Integer.signum(samples.get(j).ready() - samples.get(j - 1).ready());
      min = Math.min(min, samples.get(j).ready());
      max = Math.max(max, samples.get(j).ready());
      if (delta != 0) {
        changes++;
        if (direction != 0 && delta != direction) {
          reversals++;
        }
        direction = delta;
        lastChange = samples.get(j).atMs();
      }
    }
    return new Settling(changes, reversals, lastChange, min, max);
  }
}
