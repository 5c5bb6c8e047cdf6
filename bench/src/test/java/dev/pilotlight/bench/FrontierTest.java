package dev.pilotlight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fixed curve, interpolated; where a point sits against it; subsets of the functions. */
class FrontierTest {

  /** A result over two functions (indexes 0 and 1), each with 1,000 invocations. */
  static TraceReplay.Result result(String policy, long cold0, double idle0, long cold1, double idle1) {
    List<TraceReplay.FunctionResult> fs = new ArrayList<>();
    fs.add(new TraceReplay.FunctionResult(0, 1000, cold0, idle0));
    fs.add(new TraceReplay.FunctionResult(1, 1000, cold1, idle1));
    return new TraceReplay.Result(policy, 2, 2000, cold0 + cold1, 0, (cold0 + cold1) / 2000.0, 0, 0, idle0 + idle1, idle0 + idle1, 0, 0, 0, 0,
        0, 0, 0, fs);
  }

  static List<TraceReplay.Result> curve() {
    return List.of(
        result("fixed-0", 500, 0, 500, 0), // 50 %, 0
        result("fixed-5m", 100, 50, 100, 50), // 10 %, 100
        result("fixed-10m", 50, 100, 50, 100), // 5 %, 200
        result("fixed-60m", 10, 400, 10, 400)); // 1 %, 800
  }

  @Test
  void theCurveIsInterpolatedBetweenFixedPointsAndFlatBeyondThem() {
    Frontier f = new Frontier(curve());
    assertThat(f.coldFractionAt(0)).isEqualTo(0.5);
    assertThat(f.coldFractionAt(150)).isCloseTo(0.075, within(1e-12));
    assertThat(f.coldFractionAt(2000)).isEqualTo(0.01);
    assertThat(f.idleGbSecondsAt(0.075)).isCloseTo(150, within(1e-9));
    assertThat(f.idleGbSecondsAt(0.6)).isEqualTo(0);
    assertThat(f.idleGbSecondsAt(0.005)).isNull(); // no fixed keep-alive replayed gets that few
  }

  @Test
  void aPolicyWithFewerColdStartsAtTheSameMemoryIsBelowAndOneWithMoreIsNot() {
    List<TraceReplay.Result> rs = new ArrayList<>(curve());
    rs.add(result("histogram", 10, 100, 30, 50)); // 2 %, 150: the curve has 7.5 % there
    rs.add(result("paper", 200, 120, 0, 80)); // 10 %, 200: the curve has 5 % there
    Frontier f = new Frontier(rs);
    Frontier.Position good = f.position("histogram", "fixed-10m");
    assertThat(good.below()).isTrue();
    assertThat(good.coldVsFrontier()).isCloseTo(0.02 / 0.075, within(1e-9));
    assertThat(good.coldVsBaseline()).isCloseTo(0.4, within(1e-9));
    assertThat(good.idleVsBaseline()).isCloseTo(0.75, within(1e-9));
    assertThat(good.idleVsFrontier()).isCloseTo(150 / (200 + (0.05 - 0.02) / 0.04 * 600), within(1e-9));
    assertThat(good.worseOnBoth()).isZero();
    Frontier.Position bad = f.position("paper", "fixed-10m");
    assertThat(bad.below()).isFalse();
    assertThat(bad.worseOnBoth()).isEqualTo(0.5); // function 0: more cold starts (200 > 50) and more memory (120 > 100)
  }

  @Test
  void aHalfHasAFrontierOfItsOwn() {
    List<TraceReplay.Result> rs = new ArrayList<>(curve());
    rs.add(result("histogram", 10, 100, 30, 50));
    Frontier even = new Frontier(rs, i -> i % 2 == 0);
    assertThat(even.point("histogram").coldStarts()).isEqualTo(10);
    assertThat(even.point("fixed-10m").idleGbSeconds()).isEqualTo(100);
    assertThat(even.position("histogram", "fixed-10m").idleVsBaseline()).isEqualTo(1.0);
  }

  @Test
  void thePlotIsWellFormedSvgWithEveryPointOnIt() throws Exception {
    List<TraceReplay.Result> rs = new ArrayList<>(curve());
    rs.add(result("histogram", 10, 100, 30, 50));
    String svg = FrontierPlot.svg("a <test> & more", new Frontier(rs), List.of("histogram", "paper"));
    var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(4); // the fixed points
    assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(2); // the background and histogram (paper has no results)
    assertThat(svg).contains(">histogram<").contains("a &lt;test&gt; &amp; more");
  }
}
