package dev.pilotlight.gateway;

/** Where the gateway writes the platform's per-invocation lines (START, END, REPORT). */
@FunctionalInterface
public interface InvocationLog {
  void line(String function, String instanceId, String requestId, String line);
}
