package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The launch ladder: the rungs this host offers, fastest first (the order of LaunchRung), built
 * once at start. A cold start goes down the ladder and the first rung that admits the function
 * and claims the launch serves it; the plain rung at the bottom always does. A rung the host
 * cannot offer is not on the ladder at all: it is left out when the ladder is built (no pool, CRIU
 * turned off) or {@link #withdraw withdrawn} once that is known (CRIU found unusable, which takes
 * a while to find out and so is not waited for at start).
 *
 * <p>Threads: rungs that never block (the pool rungs) are asked on the caller's thread, often an
 * event loop's; at the first rung that {@link Rung#blocks blocks} the walk moves, once, to a
 * launcher thread and goes on there. A pooled cold start thus pays no thread hop.
 */
final class LaunchLadder {
  /** The order rungs prepare in at deploy: AOT training first, then the snapshot (made after it, of the trained app), then pool warm-up. */
  private static final List<LaunchRung> PREPARE_ORDER =
      List.of(LaunchRung.AOT, LaunchRung.SNAPSHOT, LaunchRung.POOL_LAYER, LaunchRung.POOL, LaunchRung.PLAIN);

  private volatile List<Rung> rungs;
  private volatile List<Rung> prepareOrder;
  private final Executor launcher;

  /**
   * @param rungs at most one per LaunchRung, the plain one among them
   * @param launcher where blocking rungs are asked (virtual threads: forking and binding unmount them)
   */
  LaunchLadder(List<Rung> rungs, Executor launcher) {
    List<Rung> sorted = new ArrayList<>(rungs);
    sorted.sort(Comparator.comparing(Rung::rung));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).rung() == sorted.get(i - 1).rung()) {
        throw new IllegalArgumentException("rungs: " + sorted.get(i).rung().id() + " twice (expected: at most one of each)");
      }
    }
    if (sorted.isEmpty() || sorted.getLast().rung() != LaunchRung.PLAIN) {
      throw new IllegalArgumentException("rungs: " + sorted.stream().map(r -> r.rung().id()).toList() + " (expected: the plain rung among them)");
    }
    this.rungs = List.copyOf(sorted);
    List<Rung> prepare = new ArrayList<>(sorted);
    prepare.sort(Comparator.comparingInt(r -> PREPARE_ORDER.indexOf(r.rung())));
    this.prepareOrder = List.copyOf(prepare);
    this.launcher = launcher;
  }

  /** The rungs on this ladder, fastest first. */
  List<LaunchRung> rungs() {
    return rungs.stream().map(Rung::rung).toList();
  }

  /** Takes {@code rung} off the ladder: the host turned out not to offer it. Launches under way finish on the ladder they started on. */
  void withdraw(LaunchRung rung) {
    if (rung == LaunchRung.PLAIN) {
      throw new IllegalArgumentException("rung: plain (expected: a rung other than the bottom one)");
    }
    synchronized (this) {
      rungs = rungs.stream().filter(r -> r.rung() != rung).toList();
      prepareOrder = prepareOrder.stream().filter(r -> r.rung() != rung).toList();
    }
  }

  /** Starts {@code r}'s instance on the fastest rung that serves it; call on any thread (see the class comment). */
  CompletableFuture<ProcessInstance> launch(LaunchRequest r) {
    return walk(r, rungs, 0, false);
  }

  private CompletableFuture<ProcessInstance> walk(LaunchRequest r, List<Rung> rungs, int from, boolean onLauncher) {
    Deployment d = r.deployment();
    try {
      for (int i = from; i < rungs.size(); i++) {
        Rung rung = rungs.get(i);
        if (!rung.rung().admits(d)) {
          continue;
        }
        if (rung.blocks() && !onLauncher) {
          int at = i;
          return CompletableFuture.supplyAsync(() -> walk(r, rungs, at, true), launcher).thenCompose(f -> f);
        }
        Optional<CompletableFuture<ProcessInstance>> claimed = rung.claim(r);
        if (claimed.isPresent()) {
          if (!rung.fallsThrough()) {
            return claimed.get();
          }
          int below = i + 1;
          return claimed.get().exceptionallyCompose(e -> walk(r, rungs, below, false));
        }
      }
    } catch (CompletionException e) {
      return CompletableFuture.failedFuture(e.getCause() != null ? e.getCause() : e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // The plain rung claims every launch; this is for a ladder whose rungs all refused.
    return CompletableFuture.failedFuture(new Failure.InstanceFailed("no launch rung could start instance " + r.id()));
  }

  /** Readies every rung that admits {@code d}, in PREPARE_ORDER (each queues its own background work). */
  void prepare(Deployment d) {
    for (Rung rung : prepareOrder) {
      if (rung.rung().admits(d)) {
        rung.prepare(d);
      }
    }
  }
}
