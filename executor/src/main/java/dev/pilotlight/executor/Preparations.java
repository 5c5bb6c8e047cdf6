package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the daemon is preparing for each function in the background after a deploy — its AOT cache
 * training ({@code aot}) and its snapshot ({@code snapshot}) — and how each ended, for the status
 * view and {@code deploy}'s progress. One entry per step and function (the latest revision's),
 * so its memory is bounded by the number of functions. Thread-safe.
 */
public final class Preparations {
  /** A step's state; {@link #READY} and {@link #FAILED} are final. */
  public enum State {
    QUEUED, RUNNING, READY, FAILED;

    String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One step of one revision: where it is, since when, and what it came to (a failure's reason). */
  record Step(long revision, State state, Instant since, String detail) {}

  static final String AOT = "aot";
  static final String SNAPSHOT = "snapshot";

  private final Map<String, Map<String, Step>> steps = new ConcurrentHashMap<>();
  private final InstantSource clock;

  Preparations(InstantSource clock) {
    this.clock = clock;
  }

  void queued(Deployment d, String step) {
    put(d, step, State.QUEUED, null);
  }

  void running(Deployment d, String step) {
    put(d, step, State.RUNNING, null);
  }

  void ready(Deployment d, String step, String detail) {
    put(d, step, State.READY, detail);
  }

  void failed(Deployment d, String step, String detail) {
    put(d, step, State.FAILED, detail);
  }

  private void put(Deployment d, String step, State state, String detail) {
    Map<String, Step> of = steps.computeIfAbsent(d.name(), n -> new ConcurrentHashMap<>());
    of.compute(step, (k, old) -> old != null && old.revision() > d.revision() ? old // a newer revision's step is not overwritten
        : new Step(d.revision(), state, clock.instant(), detail));
  }

  /** The steps of {@code function} as the status view shows them: {@code {aot: {revision, state, since, detail}}}; empty if none. */
  public Map<String, Object> view(String function) {
    Map<String, Step> of = steps.get(function);
    Map<String, Object> out = new LinkedHashMap<>();
    if (of == null) {
      return out;
    }
    for (String step : new String[] {AOT, SNAPSHOT}) {
      Step s = of.get(step);
      if (s != null) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revision", s.revision());
        m.put("state", s.state().id());
        m.put("since", s.since().toString());
        if (s.detail() != null) {
          m.put("detail", s.detail());
        }
        out.put(step, m);
      }
    }
    return out;
  }

  /** Forgets a removed function's steps. */
  public void forget(String function) {
    steps.remove(function);
  }
}
