package dev.pilotlight.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where a function's calls go: rendezvous (highest-random-weight) hashing over the serving nodes
 * gives each function its own order of nodes, the first being its home; consistent hashing with
 * bounded loads (Mirrokni, Thorup and Zadimoghaddam, 2018) passes a call to the next node in that
 * order while a node carries more than {@code c} times the cluster's average load. So a function's
 * calls land where its instances are warm; a hot function spreads over more nodes, always the same
 * ones in the same order; and when a node joins or leaves, only the functions whose first choice
 * changes move (about one in N), with no table of assignments to keep.
 *
 * <p>Pure: the same nodes and loads give every daemon the same answer.
 */
public final class Placement {
  /** The load bound's factor: 1.25, the paper's usual choice (each node at most 25 % above the average). */
  public static final double DEFAULT_BOUND = 1.25;

  private final double bound;

  public Placement(double bound) {
    if (!(bound >= 1.0)) {
      throw new IllegalArgumentException("bound: " + bound + " (expected: >= 1)");
    }
    this.bound = bound;
  }

  /** {@code nodes} in the order {@code function}'s calls prefer them, its home first. */
  public static List<Node> order(String function, Collection<Node> nodes) {
    long f = hash(function);
    List<Node> out = new ArrayList<>(nodes);
    // ties (never in practice) broken by id, so the order is the same on every daemon
    out.sort(Comparator.comparingLong((Node n) -> weight(f, n.id())).reversed().thenComparing(Node::id));
    return out;
  }

  /**
   * The node that should serve a call of {@code function} among {@code serving}: the first in its
   * order whose load, with this call, stays within {@code bound} times the average; empty when
   * no node serves.
   */
  public Optional<Node> choose(String function, List<Node> serving) {
    if (serving.isEmpty()) {
      return Optional.empty();
    }
    long total = 0;
    for (Node n : serving) {
      total += n.inFlight();
    }
    // ceil(c * (total + 1) / n): the capacity of each node with this call counted
    long capacity = (long) Math.ceil(bound * (total + 1) / serving.size());
    List<Node> ordered = order(function, serving);
    for (Node n : ordered) {
      if (n.inFlight() + 1 <= capacity) {
        return Optional.of(n);
      }
    }
    return Optional.of(ordered.getFirst()); // unreachable: some node is at or below the average
  }

  /** The rendezvous weight of node {@code id} for the function hashed to {@code f}. */
  static long weight(long f, String id) {
    return mix(f ^ mix(hash(id)));
  }

  /** FNV-1a over the UTF-8 bytes, 64 bits: stable across JVMs and releases (String.hashCode is too weak here). */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The SplitMix64 finaliser: spreads FNV's bits so that weights of similar names are unrelated. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
