package dev.pilotlight.autoscaler;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.InstanceLoad;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The daemon's {@link IdlePolicy}: the scale-to-zero edge driven by each function's
 * {@link KeepAlivePolicy} ({@code histogram}, {@code fixed} or {@code off}): while a function is
 * idle, one instance is wanted inside the policy's window after its last request ended, none
 * outside it. Outside the window the instance stops early ("the next call is not expected soon");
 * when a pre-warming window opens with nothing up, the decider starts one. Above one instance only
 * {@link #instancesExpected} speaks (the learned scale-out levels); the rest is the autoscaler's
 * business, and {@code minInstances} is applied after this.
 *
 * <p>The idle start comes from the {@link IdleTimeTracker} (why: see {@link IdlePolicy}), for every
 * mode alike.
 */
public final class KeepAliveIdlePolicy implements IdlePolicy {
  private final IdleTimeTracker tracker;
  private final Function<FunctionSpec, KeepAlivePolicy> policyFor;
  /** The {@code histogram} mode's shared price, updated from {@link #observe}; null when no function is priced. */
  private final KeepAlivePrice price;

  /** @param policyFor the policy a function gets */
  public KeepAliveIdlePolicy(IdleTimeTracker tracker, Function<FunctionSpec, KeepAlivePolicy> policyFor) {
    this(tracker, policyFor, null);
  }

  /**
   * @param policyFor the policy a function gets
   * @param price updated at each {@link #observe} over the pools whose policy is {@code price.policy()} (null: none)
   */
  public KeepAliveIdlePolicy(IdleTimeTracker tracker, Function<FunctionSpec, KeepAlivePolicy> policyFor, KeepAlivePrice price) {
    this.tracker = tracker;
    this.policyFor = policyFor;
    this.price = price;
  }

  /** Each function gets the policy of its own {@code keepAlive}, else of {@code daemonDefault}; {@code histogram} with the default budget. */
  public static KeepAliveIdlePolicy withDefault(IdleTimeTracker tracker, KeepAlive daemonDefault) {
    return withDefault(tracker, daemonDefault, KeepAlivePolicy.defaultBudget());
  }

  /**
   * The daemon's: as {@link #withDefault(IdleTimeTracker, KeepAlive)}, {@code histogram} at one price
   * for all its functions ({@link KeepAlivePrice}), their idle memory together within a fixed
   * keep-alive of {@code budget}'s.
   */
  public static KeepAliveIdlePolicy withDefault(IdleTimeTracker tracker, KeepAlive daemonDefault, Duration budget) {
    KeepAlivePrice price = new KeepAlivePrice(tracker, budget, KeepAlivePrice.DEFAULT_EVERY);
    KeepAlivePolicy learned = price.policy();
    return new KeepAliveIdlePolicy(tracker, spec -> {
      KeepAlive mode = modeOf(spec, daemonDefault);
      return mode == KeepAlive.HISTOGRAM ? learned : KeepAlivePolicy.of(mode);
    }, price);
  }

  /** The shared price of the {@code histogram} mode; null if this policy has none. */
  public KeepAlivePrice price() {
    return price;
  }

  /** Recomputes the shared price when due, over the pools that use it (a pinned revision's pool, NAME@N, is one of them). */
  @Override
  public void observe(List<PoolSnapshot> pools, Instant now) {
    if (price == null || !price.due(now)) {
      return;
    }
    List<KeepAlivePrice.Member> members = new ArrayList<>();
    for (PoolSnapshot s : pools) {
      if (policyFor.apply(s.spec()) == price.policy()) {
        members.add(new KeepAlivePrice.Member(s.function(), s.spec().memoryMb()));
      }
    }
    price.update(members, now);
  }

  /**
   * The function's own keep-alive mode; else {@code fixed} if it chose an idle timeout other than
   * the default (whoever sets {@code idleTimeout: 1s} means it); else the daemon's.
   */
  public static KeepAlive modeOf(FunctionSpec spec, KeepAlive daemonDefault) {
    if (spec.keepAlive() != null) {
      return spec.keepAlive();
    }
    return spec.idleTimeout().equals(FunctionSpec.DEFAULT_IDLE_TIMEOUT) ? daemonDefault : KeepAlive.FIXED;
  }

  @Override
  public int instancesWhileIdle(PoolSnapshot s, Instant now) {
    if (s.ready() + s.starting() > 0 && tracker.isBusy(s.function())) {
      // A request came after the snapshot was taken (a client calling back to back is between two
      // calls at most ticks): it is not idle, and the instance it runs on stays.
      return 1;
    }
    Instant idleSince = tracker.idleSince(s.function());
    if (idleSince == null) {
      // Never called since its rhythm began. Nothing up: nothing to keep, nothing expected. An
      // instance up all the same (a rollout's pre-warmed revision) is idle since it became ready.
      // (a loop, not a stream: this runs once a second for every function at zero, which has no instance)
      for (InstanceLoad i : s.instances()) {
        if (!i.draining() && (idleSince == null || i.lastUsed().isAfter(idleSince))) {
          idleSince = i.lastUsed();
        }
      }
      if (idleSince == null) {
        return 0;
      }
    }
    KeepAliveDecision d = tracker.decision(s.function(), s.spec(), policyFor.apply(s.spec())); // by pool: NAME@N learns its own
    // The tick read its clock before the last call ended: that call ended "now", not in the future.
    Instant at = now.isBefore(idleSince) ? idleSince : now;
    if (!d.wantsInstance(idleSince, at)) {
      return 0;
    }
    if (!d.prewarms() && s.ready() + s.starting() == 0) {
      return 0; // the instance kept from the last call is gone (stopped by hand, crashed): keeping is not restarting
    }
    return 1;
  }

  /**
   * The scale-out edges: the highest level (2 instances or more) whose learned window is open now,
   * per {@link IdleTimeTracker#expectedInstances}; 0 when none is.
   */
  @Override
  public int instancesExpected(PoolSnapshot s, Instant now) {
    int k = tracker.expectedInstances(s.function(), s.spec(), policyFor.apply(s.spec()), s.ready() + s.starting(), now);
    return k >= 2 ? k : 0;
  }

  /** The decision for {@code spec}'s function as its histogram stands now. */
  public KeepAliveDecision decision(FunctionSpec spec) {
    return tracker.decision(spec.name(), spec, policyFor.apply(spec));
  }

  public IdleTimeTracker tracker() {
    return tracker;
  }
}
