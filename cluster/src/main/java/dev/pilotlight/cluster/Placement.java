package dev.pilotlight.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where a function's calls go: rendezvous (highest-random-weight) hashing over the serving nodes
 * gives each function its own order of nodes, the first being its home. A call goes to the first
 * node in that order that is not full: whose memory budget is less than {@link #FULL_PERCENT} used,
 * so it can still start instances. A function so stays on one node, where its instances are warm,
 * until that node cannot hold more of them; a hot function then spreads to the next node in its
 * order, always the same ones in the same order. When every node is full, the bound of consistent
 * hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, 2018) spreads calls by the calls
 * each node has in flight: the first node in order with at most {@code c} times the average.
 * When a node joins or leaves, only the functions whose first choice changes move (about one in
 * N), with no table of assignments to keep.
 *
 * <p>Why not the bound alone: it compares a node's calls with the cluster's average, so a single
 * busy function (a small team's whole traffic) would spread over every node at any load, paying a
 * cold start and a copy of its instances on each, where one node holds it warm.
 *
 * <p>Pure: the same nodes and loads give every daemon the same answer.
 */
public final class Placement {
  /** The load bound's factor: 1.25, the paper's usual choice (each node at most 25 % above the average). */
  public static final double DEFAULT_BOUND = 1.25;
  /**
   * A node whose memory budget is this used is full: what is left is about one more instance of a
   * typical size on a small budget (10 % of 4 GB), and the warm pool's reserve.
   */
  public static final int FULL_PERCENT = 90;

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
   * order that is not full; when all are, the first whose calls in flight, with this one, stay
   * within {@code bound} times the average. Empty when no node serves.
   */
  public Optional<Node> choose(String function, List<Node> serving) {
    if (serving.isEmpty()) {
      return Optional.empty();
    }
    List<Node> ordered = order(function, serving);
    for (Node n : ordered) {
      if (n.memoryPercent() < FULL_PERCENT) {
        return Optional.of(n);
      }
    }
    long total = 0;
    for (Node n : serving) {
      total += n.inFlight();
    }
    // ceil(c * (total + 1) / n): the capacity of each node with this call counted
    long capacity = (long) Math.ceil(bound * (total + 1) / serving.size());
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
