package dev.pilotlight.server;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.gateway.RevisionCalls;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.io.Ticker;
import dev.pilotlight.model.release.CallWindow;
import dev.pilotlight.model.release.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Drives the running rollouts, ten times a second: what each new revision did since its step began
 * (ready or not, its calls and the stable revision's over the same time) goes to the rollout's pure
 * decision ({@link Rollout#next}), and a changed state is stored and applied to the traffic by the
 * control plane. A breach is seen within a tick of the call that makes it. While no rollout runs it
 * does not tick at all (an idle daemon is not woken ten times a second for nothing): a rollout
 * started, restored or learnt from the shared feed {@link #wake}s it.
 */
final class RolloutRunner implements AutoCloseable {
  /** How often the rollouts are looked at. */
  static final Duration TICK = Duration.ofMillis(100);

  /** The calls counted when a step began: its window is what came after. */
  private record Baseline(int step, Instant since, CallWindow.Snapshot stable, CallWindow.Snapshot canary) {}

  private final ControlPlaneService control;
  private final Activator activator;
  private final RevisionCalls calls;
  private final InstantSource clock;
  private final Map<String, Baseline> baselines = new HashMap<>();
  private final Ticker ticker = new Ticker("rollouts", this::tick);

  RolloutRunner(ControlPlaneService control, Activator activator, RevisionCalls calls, InstantSource clock) {
    this.control = control;
    this.activator = activator;
    this.calls = calls;
    this.clock = clock;
  }

  /** One look at every running rollout; tests call it on a manual clock. */
  synchronized void tick() {
    Set<String> running = new HashSet<>();
    for (Rollout r : control.runningRollouts()) {
      String fn = r.function();
      running.add(fn);
      calls.watch(fn);
      Baseline b = baselines.get(fn);
      if (b == null || b.step() != r.step() || !b.since().equals(r.stepSince())) {
        b = new Baseline(r.step(), r.stepSince(), calls.snapshot(fn, r.stable()), calls.snapshot(fn, r.canary()));
        baselines.put(fn, b);
      }
      String pool;
      try {
        pool = control.router().poolFor(fn, r.canary());
      } catch (RuntimeException gone) { // the revision was deleted with its function
        continue;
      }
      Optional<PoolSnapshot> snapshot = activator.snapshot(pool);
      boolean ready = snapshot.map(s -> s.ready() > 0).orElse(false);
      String failure = ready ? null : activator.launchFailure(pool).orElse(null);
      if (r.step() < 0 && !ready && failure == null && snapshot.map(s -> s.starting() == 0).orElse(true)) {
        activator.prewarm(pool); // its pre-warmed instance went, or none was started yet: another
      }
      Rollout.Observation o = new Rollout.Observation(ready, failure, calls.snapshot(fn, r.stable()).minus(b.stable()),
          calls.snapshot(fn, r.canary()).minus(b.canary()));
      Rollout next = r.next(o, clock.instant());
      if (next != r && control.advanceRollout(r, next)) {
        if (next.running()) {
          // the new step's calls are counted from now, when its split took effect
          baselines.put(fn, new Baseline(next.step(), next.stepSince(), calls.snapshot(fn, next.stable()), calls.snapshot(fn, next.canary())));
        } else {
          running.remove(fn);
        }
      }
    }
    for (String fn : new HashSet<>(baselines.keySet())) {
      if (!running.contains(fn)) {
        baselines.remove(fn);
        calls.unwatch(fn);
      }
    }
  }

  /** Looks at the rollouts once the daemon runs (any restored with it are driven from then on), and every tick while one runs. */
  void start() {
    ticker.startWhileBusy(TICK, () -> !control.runningRollouts().isEmpty());
  }

  /** Looks at the rollouts a tick from now, and every tick after while one runs. */
  void wake() {
    ticker.wake();
  }

  @Override
  public void close() {
    ticker.close();
  }
}
