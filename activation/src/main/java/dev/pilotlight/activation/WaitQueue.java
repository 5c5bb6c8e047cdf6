package dev.pilotlight.activation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests waiting for a slot, first come first served, each known by a ticket and the instant
 * it queued. A waiter leaves by being served ({@link #pollFirst}), or from anywhere in the line when
 * its wait ends or its caller gives up ({@link #remove}). Part of {@link PoolState}; not thread-safe.
 */
final class WaitQueue {
  /** A waiter taken from the head of the line. */
  record Waiter(long ticket, Instant since) {}

  /** Tickets in arrival order, with when each queued. */
  private final LinkedHashMap<Long, Instant> line = new LinkedHashMap<>();
  private long lastTicket;

  /** Adds a waiter at the end of the line; returns its ticket (never {@link PoolEffect#CALLER}). */
  long add(Instant now) {
    long ticket = ++lastTicket;
    line.put(ticket, now);
    return ticket;
  }

  /** Takes the waiter out of the line; false if it is not in it (served, failed or gone already). */
  boolean remove(long ticket) {
    return line.remove(ticket) != null;
  }

  /** Takes the waiter at the head of the line; the line must not be empty. */
  Waiter pollFirst() {
    Iterator<Map.Entry<Long, Instant>> it = line.entrySet().iterator();
    Map.Entry<Long, Instant> head = it.next();
    it.remove();
    return new Waiter(head.getKey(), head.getValue());
  }

  /** Empties the line; returns the tickets in order. */
  List<Long> clear() {
    List<Long> all = new ArrayList<>(line.keySet());
    line.clear();
    return all;
  }

  int size() {
    return line.size();
  }

  boolean isEmpty() {
    return line.isEmpty();
  }
}
