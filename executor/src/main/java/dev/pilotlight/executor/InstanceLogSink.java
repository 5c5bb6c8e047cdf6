package dev.pilotlight.executor;

/** Where instance output lines go (the daemon wires this to its log store). */
@FunctionalInterface
public interface InstanceLogSink {
  /**
   * @param requestId the request the instance was serving when it printed the line, or null
   */
  void line(String function, String instanceId, String requestId, String line);
}
