package dev.pilotlight.model;

import java.util.Collection;

/**
 * What the node can run at once, in Lambda's terms (pure): its memory budget counted in instances
 * of Lambda's default size ({@value #UNIT_MB} MB, one request each). A function's reserved
 * concurrency takes the memory of the instances that serve it ({@link FunctionSpec#reservedMemoryMb}),
 * counted in the same units; as on Lambda, reservations may not leave less than a tenth of the
 * node unreserved (Lambda keeps 100 of an account's 1,000 unreserved).
 *
 * @param budgetMb the node's memory budget for instances, in MB
 */
public record NodeConcurrency(long budgetMb) {
  /** Lambda's default memory size, the unit of {@code ConcurrentExecutions}. */
  public static final int UNIT_MB = 128;

  public NodeConcurrency {
    if (budgetMb < 1) {
      throw new IllegalArgumentException("budgetMb: " + budgetMb + " (expected: >= 1)");
    }
  }

  /** {@code ConcurrentExecutions}: default-sized requests the node can run at once (at least 1). */
  public int total() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetMb / UNIT_MB));
  }

  /** What must stay unreserved: a tenth of {@link #total()}, at least 1. */
  public int minimumUnreserved() {
    return Math.max(1, total() / 10);
  }

  /** The units a function's reservation takes: its reserved instances' memory in {@value #UNIT_MB} MB units, rounded up. */
  public static long reservedUnits(FunctionSpec spec) {
    return (spec.reservedMemoryMb() + UNIT_MB - 1) / UNIT_MB;
  }

  /** {@code UnreservedConcurrentExecutions} with these functions' reservations (never below 0). */
  public int unreserved(Collection<FunctionSpec> functions) {
    long reserved = functions.stream().mapToLong(NodeConcurrency::reservedUnits).sum();
    return (int) Math.max(0, total() - reserved);
  }

  /**
   * Checks that {@code candidate}'s reservation fits beside the {@code others}' (the candidate's own
   * earlier spec excluded): refused as Lambda refuses, naming the minimum kept unreserved.
   */
  public void checkReservation(FunctionSpec candidate, Collection<FunctionSpec> others) {
    if (candidate.reservedConcurrency() == null) {
      return;
    }
    long othersReserved = others.stream().filter(s -> !s.name().equals(candidate.name())).mapToLong(NodeConcurrency::reservedUnits).sum();
    long left = total() - othersReserved - reservedUnits(candidate);
    if (left < minimumUnreserved()) {
      throw new Failure.InvalidInput("Specified ReservedConcurrentExecutions for function decreases account's "
          + "UnreservedConcurrentExecution below its minimum value of [" + minimumUnreserved() + "] (the node runs "
          + total() + " executions of " + UNIT_MB + " MB; this reservation takes " + reservedUnits(candidate) + ", others "
          + othersReserved + ")");
    }
  }
}
