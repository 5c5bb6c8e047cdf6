package dev.pilotlight.gateway;

import dev.pilotlight.model.release.CallWindow;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls each revision of a function answered, counted for the functions a rollout watches
 * (the invoker records every call; a function nobody watches costs one set lookup).
 */
public final class RevisionCalls {
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final Map<String, CallWindow> windows = new ConcurrentHashMap<>();

  public void watch(String function) {
    watched.add(function);
  }

  /** Stops counting {@code function}'s calls and forgets them. */
  public void unwatch(String function) {
    watched.remove(function);
    windows.keySet().removeIf(k -> k.startsWith(function + "@"));
  }

  void record(String function, long revision, double ms, boolean error) {
    if (!watched.isEmpty() && watched.contains(function)) {
      windows.computeIfAbsent(function + "@" + revision, k -> new CallWindow()).record(ms, error);
    }
  }

  /** What revision {@code revision} of {@code function} answered since it was first watched. */
  public CallWindow.Snapshot snapshot(String function, long revision) {
    CallWindow w = windows.get(function + "@" + revision);
    return w == null ? CallWindow.Snapshot.EMPTY : w.snapshot();
  }
}
