package dev.pilotlight.cluster;

import java.time.Instant;

/**
 * A daemon as the others see it in the shared node table.
 *
 * @param id its node id ({@code serve --node-id}), unique in the cluster
 * @param address where the others reach it: {@code host:port} of its port
 * @param heartbeatAt when it last said it is alive (the database's clock)
 * @param draining it is stopping: it finishes what it has and takes no new calls
 * @param inFlight the calls it was serving at its last heartbeat
 * @param memoryPercent how much of its memory budget its instances and warm pool held then, 0 to 100
 */
public record Node(String id, String address, Instant heartbeatAt, boolean draining, int inFlight, int memoryPercent) {
  public Node {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("id: empty");
    }
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("address of " + id + ": empty");
    }
    if (heartbeatAt == null) {
      throw new IllegalArgumentException("heartbeatAt of " + id + ": null");
    }
    if (memoryPercent < 0 || memoryPercent > 100) {
      throw new IllegalArgumentException("memoryPercent of " + id + ": " + memoryPercent + " (expected: 0 to 100)");
    }
    if (inFlight < 0) {
      throw new IllegalArgumentException("inFlight of " + id + ": " + inFlight + " (expected: >= 0)");
    }
  }
}
