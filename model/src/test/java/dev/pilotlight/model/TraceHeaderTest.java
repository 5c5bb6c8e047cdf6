package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The X-Ray trace header of an invocation: format, a caller's root kept, a new parent every time. */
class TraceHeaderTest {
  static final String FORMAT = "Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0";

  @Test
  void aNewHeaderIsInXRaysFormatWithTheTimeInTheRoot() {
    String h = TraceHeader.forInvocation(null, 0x6566_7a10L, new SplittableRandom(1));
    assertThat(h).matches(FORMAT).startsWith("Root=1-65667a10-");
    // time beyond 32 bits (year 2106) keeps eight digits
    assertThat(TraceHeader.forInvocation(null, 0x1_0000_0001L, new SplittableRandom(1))).matches(FORMAT).startsWith("Root=1-00000001-");
  }

  @Test
  void idsDifferFromCallToCall() {
    SplittableRandom random = new SplittableRandom(7);
    Set<String> roots = new HashSet<>();
    Set<String> parents = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String h = TraceHeader.forInvocation(null, 1_700_000_000L, random);
      roots.add(h.substring(5, 40));
      parents.add(h.substring(48, 64));
    }
    assertThat(roots).hasSize(1000);
    assertThat(parents).hasSize(1000);
  }

  @Test
  void aCallersRootIsKeptAndItsParentAndSamplingAreNot() {
    String caller = "Root=1-5759E988-BD862E3FE1BE46A994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    String h = TraceHeader.forInvocation(caller, 1L, new SplittableRandom(3));
    assertThat(h).matches(FORMAT).startsWith("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=").doesNotContain("53995c3f42cd8ad8");
    // anywhere in the header, with spaces, with other keys, the key in any case
    assertThat(TraceHeader.forInvocation("Self=1-67891233-12456789abcdef012345678;  root=1-5759e988-bd862e3fe1be46a994272793 ;Lineage=a:1",
        1L, new SplittableRandom(3))).startsWith("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=");
  }

  @Test
  void theRootOfAnInvocationsHeaderIsARootAloneThatAnotherInvocationJoins() {
    String h = TraceHeader.forInvocation(null, 0x6566_7a10L, new SplittableRandom(5));
    String root = TraceHeader.rootOf(h);
    assertThat(root).matches("Root=1-65667a10-[0-9a-f]{24}");
    assertThat(h).startsWith(root + ";Parent=");
    assertThat(TraceHeader.forInvocation(root, 1L, new SplittableRandom(6))).matches(FORMAT).startsWith(root + ";Parent=");
  }

  @Test
  void aMalformedRootIsReplaced() {
    for (String bad : new String[] {"", "Root=", "Root=1-5759e988-bd862e3fe1be46a99427279", "Root=1-5759e988-bd862e3fe1be46a9942727931",
        "Root=2-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e98g-bd862e3fe1be46a994272793", "Root=1_5759e988-bd862e3fe1be46a994272793",
        "Root=1-5759e988-bd862e3fe1be46a99427279\u0663", "Root=1-5759e988-bd862e3fe1be46a994272793\r\nX: y", "Parent=53995c3f42cd8ad8"}) {
      String h = TraceHeader.forInvocation(bad, 0x10L, new SplittableRandom(5));
      assertThat(h).as(bad).matches(FORMAT).startsWith("Root=1-00000010-");
    }
  }

  @Test
  void requestsMadeWithoutOneGetOne() {
    LambdaRequest r = new LambdaRequest("id", new byte[0], java.time.Instant.EPOCH, "arn");
    assertThat(r.traceId()).matches(FORMAT);
  }
}
