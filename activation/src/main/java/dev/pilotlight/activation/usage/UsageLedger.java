package dev.pilotlight.activation.usage;

import dev.pilotlight.model.Usage;
import java.time.Instant;
import java.util.Map;

/** Where the {@link UsageMeter} keeps its sums durably (the store's {@code usage.db}, connected in {@code Wiring}). */
public interface UsageLedger {
  /** Adds usage per function and hour (keys: the hour's start). */
  void add(Map<String, Map<Instant, Usage>> byFunctionAndHour);

  /** The function's usage from the hour holding {@code since} on; all of it when {@code since} is null. */
  Usage total(String function, Instant since);

  /** Drops a removed function's usage. */
  void forget(String function);

  /** Keeps nothing (tests, and daemons built without a store). */
  UsageLedger NONE = new UsageLedger() {
    @Override
    public void add(Map<String, Map<Instant, Usage>> byFunctionAndHour) {}

    @Override
    public Usage total(String function, Instant since) {
      return Usage.NONE;
    }

    @Override
    public void forget(String function) {}
  };
}
