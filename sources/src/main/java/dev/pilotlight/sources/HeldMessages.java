package dev.pilotlight.sources;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The messages a poller was sent and has not settled yet, in delivery order: those of the batch
 * running or waiting to retry, and those fetched for the next one. A timer reads them to tell the
 * broker they are in progress; the poller takes them out to acknowledge them, or all at once to hand
 * them back when it leaves. Both take them out under one lock, so a message is acknowledged or handed
 * back, never both, whichever thread comes first.
 *
 * @param <M> a message; two are the same when {@code equals} says so (NATS's messages: only itself)
 */
final class HeldMessages<M> {
  private final Set<M> held = new LinkedHashSet<>();

  /** Holds {@code messages} (just delivered). */
  synchronized void hold(Collection<? extends M> messages) {
    held.addAll(messages);
  }

  /** Takes {@code messages} out; returns those still held (not handed back meanwhile), in the order given. */
  synchronized List<M> settle(Collection<? extends M> messages) {
    List<M> out = new ArrayList<>(messages.size());
    for (M m : messages) {
      if (held.remove(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** Takes every message out, in delivery order (the poller leaves: they go back to the broker). */
  synchronized List<M> drain() {
    List<M> out = new ArrayList<>(held);
    held.clear();
    return out;
  }

  /** The messages held now, in delivery order (for the in-progress timer: it must not hold the lock while it sends). */
  synchronized List<M> snapshot() {
    return new ArrayList<>(held);
  }

  synchronized int size() {
    return held.size();
  }
}
