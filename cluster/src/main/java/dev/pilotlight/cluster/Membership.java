package dev.pilotlight.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is in the cluster, decided from the node table alone: a node whose last heartbeat is older
 * than the timeout is gone (stopped, crashed, or cut off from the database), whatever it may
 * still believe. There is no leader and no vote: every daemon reads the same table and reaches the
 * same answer, a second apart at most.
 *
 * <p>Pure: the caller reads the table and gives the time.
 */
public final class Membership {
  /**
   * How old a heartbeat may be before its node counts as gone: five missed beats of one second,
   * long enough to ride out a garbage collection or a slow disk, short enough that a lost node's
   * functions move within seconds.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** How long a gone node's row stays in the table (for the console and for debugging) before it is removed. */
  public static final Duration FORGET_AFTER = Duration.ofHours(1);

  private final Duration timeout;

  public Membership(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    this.timeout = timeout;
  }

  /** What the table says at {@code now}. */
  public View view(List<Node> table, Instant now) {
    Instant oldestAlive = now.minus(timeout);
    Instant forgotten = now.minus(FORGET_AFTER);
    List<Node> live = table.stream().filter(n -> !n.heartbeatAt().isBefore(oldestAlive)).sorted(Comparator.comparing(Node::id)).toList();
    Set<String> gone = new TreeSet<>();
    Set<String> forget = new TreeSet<>();
    for (Node n : table) {
      if (n.heartbeatAt().isBefore(oldestAlive)) {
        gone.add(n.id());
        if (n.heartbeatAt().isBefore(forgotten)) {
          forget.add(n.id());
        }
      }
    }
    return new View(live, Set.copyOf(gone), Set.copyOf(forget));
  }

  /**
   * The cluster at one moment.
   *
   * @param live the nodes alive, sorted by id (draining ones included: they still finish their calls)
   * @param gone the nodes whose heartbeat stopped: what they had claimed goes back to the others
   * @param forget the gone nodes whose rows may be removed
   */
  public record View(List<Node> live, Set<String> gone, Set<String> forget) {
    public View {
      live = List.copyOf(live);
      gone = Set.copyOf(gone);
      forget = Set.copyOf(forget);
    }

    /** The live nodes that take new calls (not draining). */
    public List<Node> serving() {
      return live.stream().filter(n -> !n.draining()).toList();
    }

    /** Whether {@code id} is alive. */
    public boolean isLive(String id) {
      return live.stream().anyMatch(n -> n.id().equals(id));
    }
  }
}
