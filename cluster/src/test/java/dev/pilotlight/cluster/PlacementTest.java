package dev.pilotlight.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static Node node(String id, int inFlight) {
    return new Node(id, id + ":8080", Instant.EPOCH, false, inFlight, 0);
  }

  private static Node full(String id, int inFlight) {
    return new Node(id, id + ":8080", Instant.EPOCH, false, inFlight, Placement.FULL_PERCENT);
  }

  private static List<Node> nodes(int n) {
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(node("node-" + i, 0));
    }
    return out;
  }

  @Test
  void everyDaemonComputesTheSameOrderWhateverOrderItListsTheNodesIn() {
    List<Node> three = nodes(3);
    List<Node> reversed = new ArrayList<>(three.reversed());
    for (int f = 0; f < 100; f++) {
      assertThat(Placement.order("fn-" + f, three)).isEqualTo(Placement.order("fn-" + f, reversed));
    }
  }

  @Test
  void homesSpreadEvenlyAndALeavingNodeMovesOnlyItsOwnFunctions() {
    List<Node> five = nodes(5);
    Map<String, Integer> perNode = new HashMap<>();
    Map<String, String> home = new HashMap<>();
    for (int f = 0; f < 10_000; f++) {
      String h = Placement.order("fn-" + f, five).getFirst().id();
      home.put("fn-" + f, h);
      perNode.merge(h, 1, Integer::sum);
    }
    // 2,000 each on average; the spread of a fair hash stays well within ±10 %
    assertThat(perNode.values()).allMatch(n -> n > 1_800 && n < 2_200);
    List<Node> four = five.subList(0, 4);
    int moved = 0;
    for (var e : home.entrySet()) {
      String now = Placement.order(e.getKey(), four).getFirst().id();
      if (!now.equals(e.getValue())) {
        moved++;
        assertThat(e.getValue()).as("only the leaving node's functions move").isEqualTo("node-4");
      }
    }
    assertThat(moved).isEqualTo(perNode.get("node-4"));
  }

  @Test
  void aFunctionStaysHomeHoweverBusyUntilHomeIsFullThenGoesToTheNextInOrder() {
    Placement p = new Placement(Placement.DEFAULT_BOUND);
    List<Node> idle = nodes(3);
    Node home = Placement.order("hot", idle).get(0);
    Node second = Placement.order("hot", idle).get(1);
    Node third = Placement.order("hot", idle).get(2);
    assertThat(p.choose("hot", idle)).contains(home);
    // home busy with 300 calls, the others idle, home's memory not full: home still
    List<Node> busy = idle.stream().map(n -> n.id().equals(home.id()) ? node(n.id(), 300) : n).toList();
    assertThat(p.choose("hot", busy)).map(Node::id).contains(home.id());
    // home full: the next in order, whatever its calls
    List<Node> homeFull = idle.stream().map(n -> n.id().equals(home.id()) ? full(n.id(), 300) : node(n.id(), 50)).toList();
    assertThat(p.choose("hot", homeFull)).map(Node::id).contains(second.id());
    assertThat(p.choose("hot", List.of())).isEmpty();
  }

  @Test
  void whenEveryNodeIsFullTheCallsInFlightDecideWithinTheBound() {
    Placement p = new Placement(Placement.DEFAULT_BOUND);
    List<Node> idle = nodes(3);
    Node home = Placement.order("hot", idle).get(0);
    Node second = Placement.order("hot", idle).get(1);
    // home with 30 calls, the others none: capacity ceil(1.25 * 31 / 3) = 13, so the second in order
    List<Node> busy = idle.stream().map(n -> n.id().equals(home.id()) ? full(n.id(), 30) : full(n.id(), 0)).toList();
    assertThat(p.choose("hot", busy)).map(Node::id).contains(second.id());
    // all equally busy: home again
    List<Node> even = idle.stream().map(n -> full(n.id(), 10)).toList();
    assertThat(p.choose("hot", even)).map(Node::id).contains(home.id());
  }

  @Test
  void oneNodeTakesEverything() {
    Placement p = new Placement(Placement.DEFAULT_BOUND);
    assertThat(p.choose("f", List.of(node("only", 500)))).map(Node::id).contains("only");
  }
}
