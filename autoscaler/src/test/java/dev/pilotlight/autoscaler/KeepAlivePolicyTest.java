package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The policies' windows, table-style: idle times in minutes ({@code 10x3} = three idle times of 10 min) → the window. */
class KeepAlivePolicyTest {
  static final FunctionSpec SPEC = FunctionSpec.of("f", Runtime.JAVA, "a.B", null); // idleTimeout 5m

  static IdleTimeHistogram histogram(String idleMinutes) {
    IdleTimeHistogram h = new IdleTimeHistogram();
    if (!idleMinutes.isBlank()) {
      for (String part : idleMinutes.trim().split("\\s+")) {
        String[] p = part.split("x");
        for (int i = 0; i < (p.length > 1 ? Integer.parseInt(p[1]) : 1); i++) {
          h.record(Duration.ofSeconds(Math.round(Double.parseDouble(p[0]) * 60)));
        }
      }
    }
    return h;
  }

  @ParameterizedTest(name = "{0} [{1}] → {2}..{3} ({4})")
  @CsvSource(delimiter = '|', textBlock = """
      # policy   | idle times (min)   | opens | closes  | basis
      fixed      | 10x50              | PT0S  | PT5M    | fixed
      off        | 10x50              | PT0S  | PT0S    | off
      paper      | ''                 | PT0S  | PT4H    | uncertain
      paper      | 10                 | PT0S  | PT4H    | uncertain
      paper      | 10x2               | PT9M  | PT12M6S | learned
      paper      | 0.5x100            | PT0S  | PT1M6S  | learned
      paper      | 10x95 30x5         | PT9M  | PT34M6S | learned
      paper      | 10x99 200x1        | PT9M  | PT12M6S | learned
      paper      | 10x98 200x2        | PT9M  | PT3H41M6S | learned
      paper      | 3x1 4x1 5x1        | PT2M42S | PT6M36S | learned
      paper      | 300x2 10x1         | PT4H15M | PT5H45M | out-of-range
      paper      | 300x1 10x1         | PT4H15M | PT5H45M | out-of-range
      paper      | 300x1 10x2         | PT9M  | PT12M6S | learned
      """)
  void windows(String policy, String idle, Duration opens, Duration closes, String basis) {
    KeepAlivePolicy p = switch (policy) {
      case "fixed" -> KeepAlivePolicy.fixed();
      case "off" -> KeepAlivePolicy.off();
      default -> KeepAlivePolicy.paper();
    };
    KeepAliveDecision d = p.decide(SPEC, histogram(idle));
    assertThat(d).isEqualTo(new KeepAliveDecision(opens, closes, basis));
  }

  /**
   * Scale-out levels: only gaps of a minute or more, at least three, the single shortest and longest
   * never the percentile, only predictions, only windows that open late enough to be a pre-warm.
   */
  @ParameterizedTest(name = "scale-out {0} [{1}] → {2}..{3} ({4})")
  @CsvSource(delimiter = '|', textBlock = """
      # policy   | gaps (min)                              | opens   | closes  | basis
      fixed      | 10x5                                    | PT0S    | PT0S    | none
      off        | 10x5                                    | PT0S    | PT0S    | none
      paper      | 0.5x100                                 | PT0S    | PT0S    | none
      paper      | 10x2 0.5x50                             | PT0S    | PT0S    | none
      paper      | 10x3                                    | PT9M    | PT12M6S | learned
      paper      | 10x4 200x1 0.5x100                      | PT9M    | PT12M6S | learned
      paper      | 2 5 8 11 14 17 20 23 26 29              | PT0S    | PT0S    | none
      paper      | 300x3                                   | PT4H15M | PT5H45M | out-of-range
      """)
  void scaleOutWindows(String policy, String gaps, Duration opens, Duration closes, String basis) {
    KeepAlivePolicy p = switch (policy) {
      case "fixed" -> KeepAlivePolicy.fixed();
      case "off" -> KeepAlivePolicy.off();
      default -> KeepAlivePolicy.paper();
    };
    assertThat(p.decideScaleOut(SPEC, histogram(gaps))).isEqualTo(new KeepAliveDecision(opens, closes, basis));
  }

  @org.junit.jupiter.api.Test
  void idleTimesSpreadFlatOverTheRangeAreTooUncertainToPredictFrom() {
    IdleTimeHistogram flat = new IdleTimeHistogram();
    for (int m = 0; m < 240; m++) {
      flat.record(Duration.ofMinutes(m));
      flat.record(Duration.ofMinutes(m));
    }
    assertThat(flat.coefficientOfVariation()).isLessThan(2);
    assertThat(KeepAlivePolicy.paper().decide(SPEC, flat).basis()).isEqualTo("uncertain");
  }
}
