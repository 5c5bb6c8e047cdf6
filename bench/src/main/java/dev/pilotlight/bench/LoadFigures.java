package dev.pilotlight.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one load phase produced, computed from its calls and instance samples; no measuring here.
 *
 * @param calls calls made
 * @param ok answered 2xx
 * @param rejected answered 429 (queue full, queue wait over, no memory)
 * @param errors any other status, or no answer at all
 * @param latency every answered call (any status), send → whole answer, in ms
 * @param firstAnswerMs from the start until the first 2xx answer, in ms; -1 if none
 * @param lastClientFirstAnswerMs until the last client got its first 2xx answer, in ms; -1 if a client got none
 * @param throughput 2xx answers per second over the phase
 * @param peakReady most instances ready in any sample of the phase
 * @param endReady instances ready in the last sample of the phase
 */
record LoadFigures(int calls, int ok, int rejected, int errors, Summary latency, long firstAnswerMs, long lastClientFirstAnswerMs,
    double throughput, int peakReady, int endReady) {

  double okShare() {
    return calls == 0 ? 0 : (double) ok / calls;
  }

  static LoadFigures of(LoadGenerator.Run run, List<InstanceWatch.Sample> samples) {
    int ok = 0;
    int rejected = 0;
    int errors = 0;
    List<Double> latencies = new ArrayList<>();
    long firstOk = Long.MAX_VALUE;
    Map<Integer, Long> firstOkOfClient = new HashMap<>();
    for (LoadGenerator.Call c : run.calls()) {
      if (c.ok()) {
        ok++;
        firstOk = Math.min(firstOk, c.endNanos());
        firstOkOfClient.merge(c.client(), c.endNanos(), Math::min);
      } else if (c.status() == 429) {
        rejected++;
      } else {
        errors++;
      }
      if (c.status() != LoadGenerator.NO_ANSWER) {
        latencies.add(c.millis());
      }
    }
    long lastClient = firstOkOfClient.size() < run.clients() ? -1
        : firstOkOfClient.values().stream().mapToLong(Long::longValue).max().orElse(-1) / 1_000_000;
    int peak = 0;
    int end = 0;
    for (InstanceWatch.Sample s : samples) {
      peak = Math.max(peak, s.ready());
      end = s.ready();
    }
    return new LoadFigures(run.calls().size(), ok, rejected, errors, latencies.isEmpty() ? null : Summary.of(latencies),
        firstOk == Long.MAX_VALUE ? -1 : firstOk / 1_000_000, lastClient, ok / (run.duration().toNanos() / 1e9), peak, end);
  }

  /** The samples taken in {@code [fromMs, toMs)}. */
  static List<InstanceWatch.Sample> between(List<InstanceWatch.Sample> samples, long fromMs, long toMs) {
    return samples.stream().filter(s -> s.atMs() >= fromMs && s.atMs() < toMs).toList();
  }
}
