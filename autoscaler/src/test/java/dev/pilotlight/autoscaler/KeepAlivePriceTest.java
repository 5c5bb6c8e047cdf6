package dev.pilotlight.autoscaler;

import static dev.pilotlight.autoscaler.KeepAlivePolicyTest.histogram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.KeepAlive;
import dev.pilotlight.model.PoolSnapshot;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * One price for every learned function: their expected idle memory together within the fixed
 * keep-alive's, what one function leaves unspent going to another, the weight each gets, and when
 * the price moves (on a manual clock).
 */
class KeepAlivePriceTest {
  private static final Duration BUDGET = Duration.ofMinutes(10);

  private static KeepAlivePrice.Priced priced(int memoryMb, IdleTimeHistogram... levels) {
    List<PricedWindows> out = new ArrayList<>();
    out.add(PricedWindows.firstLevel(levels[0], BUDGET));
    for (int k = 1; k < levels.length; k++) {
      out.add(PricedWindows.scaleOut(levels[k]));
    }
    return new KeepAlivePrice.Priced(memoryMb, out);
  }

  private static double limit(List<KeepAlivePrice.Priced> pool) {
    return pool.stream().mapToDouble(p -> p.memoryMb() * p.levels().getFirst().fixedShare()).sum();
  }

  @Test
  void onRandomPoolsThePriceIsTheLargestWithinTheFixedKeepAlivesMemory() {
    SplittableRandom r = new SplittableRandom(3);
    int limited = 0;
    for (int round = 0; round < 40; round++) {
      List<KeepAlivePrice.Priced> pool = new ArrayList<>();
      for (int f = 1 + r.nextInt(30); f > 0; f--) {
        IdleTimeHistogram h = WindowHullTest.random(r);
        pool.add(r.nextInt(5) == 0 ? priced(128 << r.nextInt(4), h, WindowHullTest.random(r)) : priced(128 << r.nextInt(4), h));
      }
      double lambda = KeepAlivePrice.solve(pool);
      double limit = limit(pool);
      assertThat(KeepAlivePrice.heldAt(pool, lambda)).as("round %d", round).isLessThanOrEqualTo(limit * (1 + 1e-9));
      if (Double.isFinite(lambda)) {
        limited++;
        // a little more and the pool would expect more idle memory than the fixed keep-alive
        assertThat(KeepAlivePrice.heldAt(pool, lambda * 1.001)).as("round %d", round).isGreaterThan(limit);
      }
    }
    assertThat(limited).isGreaterThan(30);
  }

  /**
   * A cron every 30 minutes needs a minute of each half hour where the fixed keep-alive holds ten;
   * a function whose idle times spread from 1 to 40 minutes cannot cover them all within its own
   * budget. At one price, the cron's unspent memory covers more of the other's idle times.
   */
  @Test
  void memoryOneFunctionLeavesUnspentGoesToAnother() {
    IdleTimeHistogram cron = histogram("30x40");
    StringBuilder spread = new StringBuilder();
    for (int m = 1; m <= 40; m++) {
      spread.append(m).append("x3 ");
    }
    IdleTimeHistogram spreadOut = histogram(spread.toString());
    FunctionSpec spec = spec("spread", 512);
    KeepAliveDecision alone = KeepAlivePolicy.histogram().decide(spec, spreadOut);

    List<KeepAlivePrice.Priced> pool = List.of(priced(512, cron), priced(512, spreadOut));
    double lambda = KeepAlivePrice.solve(pool);
    assertThat(lambda).isFinite();
    PricedWindows w = pool.get(1).levels().getFirst();
    KeepAliveDecision shared = w.decision(lambda / 512);
    assertThat(ExpectedCostPolicyTest.coldShare(spreadOut, shared)).as("%s against %s", shared, alone)
        .isLessThan(ExpectedCostPolicyTest.coldShare(spreadOut, alone));
    // it now holds more than its own fixed keep-alive would: the cron's unspent minutes
    assertThat(w.heldShare(w.choose(lambda / 512))).isGreaterThan(w.fixedShare());
    // the cron keeps its pre-warm (a minute before each call, no cold start)
    assertThat(pool.get(0).levels().getFirst().decision(lambda / 512)).isEqualTo(new KeepAliveDecision(Duration.ofMinutes(30),
        Duration.ofMinutes(31), "learned"));
    assertThat(KeepAlivePrice.heldAt(pool, lambda)).isLessThanOrEqualTo(limit(pool) * (1 + 1e-9));
  }

  /**
   * A function's weight is its memory × the share of its idle time a window holds: its expected idle
   * memory per unit of time. The counts halve when one overflows and accumulate since deploy, so a
   * count is no rate; a share does not change when every count is scaled.
   */
  @Test
  void aFunctionsWeightIsTheShareOfItsIdleTimeHeldLearnedOnAManualClock() {
    IdleTimeTracker tracker = new IdleTimeTracker();
    ManualClock clock = new ManualClock();
    for (int i = 0; i < 12; i++) { // a call of 1 s every 20 minutes: idle times of 19m59s
      tracker.busy("f", clock.instant());
      tracker.idle("f", clock.advance(Duration.ofSeconds(1)));
      clock.advance(Duration.ofMinutes(20).minusSeconds(1));
    }
    PricedWindows w = PricedWindows.firstLevel(tracker.histogram("f"), BUDGET);
    assertThat(w.total()).isEqualTo(11);
    // each idle time at its bin's middle (19.5 min); a window is charged as if a 12th idle time were
    // longer than it: the fixed keep-alive holds (11 × 10 + 10) / 12 = 10 minutes per idle time
    assertThat(w.fixedShare()).isCloseTo(10 / 19.5, within(1e-9));
    // the learned window: a pre-warm at 19 minutes, held until the call (19.5) or to 20 for the 12th
    assertThat(w.choose(Double.POSITIVE_INFINITY)).extracting(WindowHull.Point::a, WindowHull.Point::b).containsExactly(19, 20);
    assertThat(w.heldShare(w.choose(Double.POSITIVE_INFINITY))).isCloseTo((11 * 0.5 + 1) / 12 / 19.5, within(1e-9));

    // what the tracker does on overflow (every count halved) barely moves it
    IdleTimeHistogram many = histogram("2x600 30x200");
    IdleTimeHistogram halved = histogram("2x300 30x100");
    assertThat(PricedWindows.firstLevel(halved, BUDGET).fixedShare()).isCloseTo(PricedWindows.firstLevel(many, BUDGET).fixedShare(),
        within(0.01));
  }

  @Test
  void thePriceIsRecomputedOnceAMinuteAndStaysPutWhileNothingChanges() {
    IdleTimeTracker tracker = new IdleTimeTracker();
    ManualClock clock = new ManualClock();
    List<KeepAlivePrice.Member> members = List.of(new KeepAlivePrice.Member("cron", 256), new KeepAlivePrice.Member("spread", 256));
    KeepAlivePrice before = new KeepAlivePrice(new IdleTimeTracker(), BUDGET, KeepAlivePrice.DEFAULT_EVERY);
    assertThat(before.update(members, clock.instant())).isTrue();
    assertThat(before.mbMs()).as("nothing learned: nothing to limit").isInfinite();
    assertThat(before.unlimited()).isTrue();
    // learned before this price was made: its account of what the windows held starts now
    feed(tracker, "cron", clock.instant().minus(Duration.ofHours(3)), 30, 30, 30, 30);
    feed(tracker, "spread", clock.instant().minus(Duration.ofHours(3)), 1, 7, 13, 25, 38, 3, 16, 33);
    KeepAlivePrice price = new KeepAlivePrice(tracker, BUDGET, KeepAlivePrice.DEFAULT_EVERY);
    assertThat(price.update(members, clock.instant())).isTrue();
    assertThat(price.update(members, clock.advance(Duration.ofSeconds(30)))).as("not due yet").isFalse();
    assertThat(price.update(members, clock.advance(Duration.ofSeconds(30)))).isTrue();
    double lambda = price.mbMs();
    long epoch = price.policy().epoch();
    assertThat(lambda).isFinite().isPositive();
    assertThat(price.unlimited()).isFalse();
    for (int i = 0; i < 5; i++) {
      assertThat(price.update(members, clock.advance(Duration.ofMinutes(1)))).isTrue();
      assertThat(price.mbMs()).isEqualTo(lambda);
      assertThat(price.policy().epoch()).as("an unchanged price invalidates no decision").isEqualTo(epoch);
    }
    // the decision the daemon's policy gives is the one at the price
    FunctionSpec spec = spec("spread", 256);
    KeepAliveDecision d = tracker.decision("spread", spec, price.policy());
    assertThat(d).isEqualTo(PricedWindows.firstLevel(tracker.histogram("spread"), BUDGET).decision(lambda / 256));
  }

  /**
   * The account of what the windows held: a function whose spells all end just before its learned
   * window closes holds more of each than the fixed keep-alive would (10 minutes): the balance goes
   * negative and the price falls below what the
   * histograms alone give, so the pool pays it back; spells on which the windows hold less than the
   * fixed keep-alive (a cron's pre-warm) bring the balance back, and the price with it.
   */
  @Test
  void anOverspendLowersThePriceUntilItIsPaidBack() {
    IdleTimeTracker tracker = new IdleTimeTracker();
    ManualClock clock = new ManualClock();
    Instant learnedFrom = clock.instant().minus(Duration.ofHours(6));
    feed(tracker, "cron", learnedFrom, 30, 30, 30, 30, 30, 30);
    feed(tracker, "spread", learnedFrom, 2, 20, 5, 24, 12, 22, 8, 25, 15, 23, 3, 21);
    tracker.busy("spread", clock.instant()); // its idle spell until now is not this price's

    List<KeepAlivePrice.Member> members = List.of(new KeepAlivePrice.Member("cron", 256), new KeepAlivePrice.Member("spread", 256));
    KeepAlivePrice price = new KeepAlivePrice(tracker, BUDGET, KeepAlivePrice.DEFAULT_EVERY);
    price.update(members, clock.instant());
    assertThat(price.balanceGbSeconds()).isZero();
    double onHistograms = price.mbMs();
    assertThat(onHistograms).as("the spread function's window covers its long idle times").isGreaterThan(0);
    KeepAliveDecision window = tracker.decision("spread", spec("spread", 256), price.policy());
    Duration spell = window.keepUntil().minus(Duration.ofMinutes(1));
    Duration held = spell.minus(window.prewarmAfter());
    assertThat(held).as("%s holds more of a spell just inside it than the fixed keep-alive", window).isGreaterThan(BUDGET);

    // three spells that end just before the window closes
    Instant t = clock.instant();
    tracker.busy("spread", t);
    tracker.idle("spread", t);
    for (int i = 0; i < 3; i++) {
      t = t.plus(spell);
      tracker.busy("spread", t);
      tracker.idle("spread", t);
    }
    clock.set(t.plus(Duration.ofMinutes(1)));
    price.update(members, clock.instant());
    double overspentGbS = 3 * held.minus(BUDGET).toMillis() / 1000.0 * 0.25;
    assertThat(price.balanceGbSeconds()).as("3 spells, each %s held where the fixed keep-alive holds %s", held, BUDGET)
        .isLessThanOrEqualTo(-overspentGbS * 0.99);
    KeepAlivePrice histogramsAlone = new KeepAlivePrice(tracker, BUDGET, KeepAlivePrice.DEFAULT_EVERY);
    histogramsAlone.update(members, clock.instant());
    assertThat(price.mbMs()).as("paying back").isLessThan(histogramsAlone.mbMs());

    // the cron's spells end with its pre-warm held about a minute, where the fixed keep-alive holds 10
    FunctionSpec cronSpec = spec("cron", 256);
    for (int i = 0; i < 20 && price.balanceGbSeconds() < 0; i++) {
      tracker.decision("cron", cronSpec, price.policy()); // the scaling loop's tick: the window in force
      t = t.plus(Duration.ofMinutes(30));
      tracker.busy("cron", t);
      tracker.idle("cron", t);
      clock.set(t.plus(Duration.ofSeconds(1)));
      price.update(members, clock.instant());
    }
    assertThat(price.balanceGbSeconds()).as("paid back").isGreaterThanOrEqualTo(0);
    KeepAlivePrice now = new KeepAlivePrice(tracker, BUDGET, KeepAlivePrice.DEFAULT_EVERY);
    now.update(members, clock.instant());
    assertThat(price.mbMs()).as("a positive balance is not lent out: the price is the histograms' again").isEqualTo(now.mbMs());
  }

  /** Only the pools in {@code histogram} mode are priced: a fixed function's idle times do not move the price. */
  @Test
  void functionsOutsideTheLearnedModeAreNotInThePool() {
    IdleTimeTracker tracker = new IdleTimeTracker();
    ManualClock clock = new ManualClock();
    feed(tracker, "cron", clock.instant(), 30, 30, 30, 30);
    feed(tracker, "spread", clock.instant(), 1, 7, 13, 25, 38, 3, 16, 33);
    feed(tracker, "other", clock.instant(), 45, 45, 45, 45, 45);
    KeepAliveIdlePolicy policy = KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.HISTOGRAM, BUDGET);
    FunctionSpec fixed = FunctionSpec.builder().name("other").runtime(Runtime.JAVA).handler("a.B").keepAlive(KeepAlive.FIXED).build();
    policy.observe(List.of(snapshot(spec("cron", 256)), snapshot(spec("spread", 256)), snapshot(fixed)), clock.instant());
    KeepAlivePrice alone = new KeepAlivePrice(tracker, BUDGET, KeepAlivePrice.DEFAULT_EVERY);
    alone.update(List.of(new KeepAlivePrice.Member("cron", 256), new KeepAlivePrice.Member("spread", 256)), clock.instant());
    assertThat(policy.price().mbMs()).isEqualTo(alone.mbMs()).isFinite();
  }

  /**
   * Bursts of 3 every 5 minutes (the daemon's KeepAliveIT): the fixed keep-alive holds one instance
   * for all of each gap; pre-warming the three for its last 30 s (each level's window counted as its
   * own instance, each window charged for one more gap longer than any seen) holds less, so a lone
   * function gets all three before each burst.
   */
  @Test
  void aRecurringBurstIsPreWarmedWholeWithinTheBudget() {
    assertThat(burstPreWarm(300, 230)).isEqualTo(3);
  }

  /** Instances wanted 10 s after the windows open, bursts of 3 every {@code everySeconds}, the last ended {@code agoSeconds} ago. */
  private static int burstPreWarm(long everySeconds, long agoSeconds) {
    IdleTimeTracker tracker = new IdleTimeTracker();
    ManualClock clock = new ManualClock();
    Instant lastEnd = clock.instant();
    for (int i = 4; i >= 0; i--) {
      Instant start = lastEnd.minusSeconds(5 + everySeconds * i);
      tracker.demand("f", 3, start);
      tracker.demand("f", 0, start.plusSeconds(5));
    }
    KeepAliveIdlePolicy policy = KeepAliveIdlePolicy.withDefault(tracker, KeepAlive.HISTOGRAM, BUDGET);
    FunctionSpec f = spec("f", 256);
    clock.advance(Duration.ofSeconds(agoSeconds));
    policy.observe(List.of(snapshot(f)), clock.instant());
    long binStart = (everySeconds - 5) / 60 * 60; // the gaps' 1-minute bin, where every window opens
    clock.set(lastEnd.plusSeconds(binStart + 10));
    PoolSnapshot s = snapshot(f);
    assertThat(policy.instancesWhileIdle(s, clock.instant())).as("the first instance, pre-warmed").isEqualTo(1);
    return Math.max(1, policy.instancesExpected(s, clock.instant()));
  }

  private static FunctionSpec spec(String name, int memoryMb) {
    return FunctionSpec.builder().name(name).runtime(Runtime.JAVA).handler("a.B").memoryMb(memoryMb).build();
  }

  private static PoolSnapshot snapshot(FunctionSpec spec) {
    return new PoolSnapshot(spec, 0, 0, 0, 0, List.of());
  }

  /** Calls of {@code name} with idle times of these many minutes between them (each call takes no time). */
  private static void feed(IdleTimeTracker tracker, String name, Instant from, int... minutes) {
    Instant t = from;
    tracker.busy(name, t);
    tracker.idle(name, t);
    for (int m : minutes) {
      t = t.plus(Duration.ofMinutes(m));
      tracker.busy(name, t);
      tracker.idle(name, t);
    }
  }
}
