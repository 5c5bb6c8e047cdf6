package dev.pilotlight.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the cluster loop reads and writes in the shared database. */
public interface NodeTable {
  /**
   * Writes this daemon's row (its heartbeat at the database's clock) and reads every row, in one
   * round trip if it can. Throws if the database cannot be reached.
   */
  Beat beat(String id, String address, boolean draining, int inFlight, int memoryPercent);

  /** The database's time at the beat and every node's row then. Times are the database's, so daemons' clocks never disagree. */
  record Beat(Instant now, List<Node> table) {
    public Beat {
      table = List.copyOf(table);
    }
  }

  /** The database's time now. */
  Instant now();

  /** Removes the rows of nodes long gone. */
  void forget(Set<String> ids);

  /**
   * The functions whose registry entries changed after {@code since} (the database's clock), each
   * with its change count: a function removed and one redeployed both appear.
   */
  Map<String, Long> changedSince(Instant since);
}
