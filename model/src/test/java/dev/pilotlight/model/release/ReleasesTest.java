package dev.pilotlight.model.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Traffic splits, aliases and the revision a call runs, with the draw chosen by the test. */
class ReleasesTest {
  @Test
  void aSplitLaysItsSharesEndToEndInTheOrderGiven() {
    Traffic t = Traffic.parse("3=90 latest=10");
    assertThat(t.pick(0.0, 7)).isEqualTo(3);
    assertThat(t.pick(0.899, 7)).isEqualTo(3);
    assertThat(t.pick(0.90, 7)).isEqualTo(7);
    assertThat(t.pick(0.9999, 7)).isEqualTo(7);
    assertThat(t.toString()).isEqualTo("3=90 latest=10");
  }

  @Test
  void overManyDrawsEachRevisionGetsItsShare() {
    Traffic t = Traffic.parse("1=25,2=75");
    int ones = 0;
    for (int i = 0; i < 1000; i++) {
      if (t.pick(i / 1000.0, 2) == 1) {
        ones++;
      }
    }
    assertThat(ones).isEqualTo(250);
  }

  @Test
  void theRevisionThatTakesEveryCallIsKnownOnlyWhenOneDoes() {
    assertThat(Traffic.LATEST.sole(7)).hasValue(7);
    assertThat(Traffic.parse("3=100 canary:4=0").sole(7)).hasValue(3);
    assertThat(Traffic.parse("3=90 latest=10").sole(7)).isEmpty();
    assertThat(Traffic.parse("3=90 latest=10").percentOf(7, 7)).isEqualTo(10);
    assertThat(Traffic.parse("7=90 latest=10").percentOf(7, 7)).isEqualTo(100);
    assertThat(Traffic.parse("7=90 latest=10").percentByNumber(7)).isEqualTo(90);
  }

  @Test
  void aTaggedTargetAtZeroPercentTakesNoSplitCallButHasItsUrl() {
    Traffic t = Traffic.parse("latest=100 canary:4=0");
    assertThat(t.pick(0.5, 5)).isEqualTo(5);
    assertThat(t.tagged("canary", 5)).contains(4L);
    assertThat(t.tagged("other", 5)).isEmpty();
    assertThat(t.revisions()).containsExactly(4L);
    assertThat(t.followsLatestOnly()).isFalse();
    assertThat(Traffic.LATEST.followsLatestOnly()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"3=90 4=20", "3=101", "3=-1", "3=ninety", "x=100", "0=100", "3", "latest=50 latest=50", "a:3=50 a:4=50",
      "LATEST:3=100", "latest:3=100", ""})
  void aBadSplitSaysWhatIsWrong(String text) {
    assertThatThrownBy(() -> Traffic.parse(text)).isInstanceOf(Failure.InvalidInput.class).hasMessageStartingWith("traffic:");
  }

  @Test
  void anAliasSendsItsWeightToTheAdditionalVersion() {
    Alias live = new Alias("live", 2L, 3L, 0.1, "prod");
    assertThat(live.pick(0.05, 9)).isEqualTo(3);
    assertThat(live.pick(0.10, 9)).isEqualTo(2);
    assertThat(new Alias("dev", null, null, 0, null).pick(0.5, 9)).isEqualTo(9);
    assertThat(live.version()).isEqualTo("2");
  }

  @Test
  void lambdasAliasRulesAreKept() {
    assertThatThrownBy(() -> new Alias("x", null, 3L, 0.5, "")).hasMessageContaining("not $LATEST");
    assertThatThrownBy(() -> new Alias("x", 3L, 3L, 0.5, "")).hasMessageContaining("is the version the alias points at");
    assertThatThrownBy(() -> new Alias("x", 2L, 3L, 1.5, "")).hasMessageContaining("0.0 to 1.0");
    assertThatThrownBy(() -> new Alias("123", 2L, null, 0, "")).hasMessageContaining("not all digits");
    assertThatThrownBy(() -> new Alias("a b", 2L, null, 0, "")).isInstanceOf(Failure.InvalidInput.class);
  }

  @Test
  void aQualifierNamesTheLatestARevisionAnAliasOrATag() {
    Releases r = new Releases(Traffic.parse("latest=100 canary:4=0"), List.of(new Alias("live", 2L, null, 0, "")));
    assertThat(r.resolve("$LATEST", 5, 0.5)).contains(5L);
    assertThat(r.resolve("latest", 5, 0.5)).contains(5L);
    assertThat(r.resolve("3", 5, 0.5)).contains(3L);
    assertThat(r.resolve("live", 5, 0.5)).contains(2L);
    assertThat(r.resolve("canary", 5, 0.5)).contains(4L);
    assertThat(r.resolve("nothing", 5, 0.5)).isEmpty();
    assertThat(r.resolve("0", 5, 0.5)).isEmpty();
  }

  @Test
  void aRevisionInUseSaysByWhat() {
    Releases r = new Releases(Traffic.parse("3=90 latest=10"), List.of(new Alias("live", 2L, 4L, 0.2, "")));
    assertThat(r.usesRevision(3)).hasValueSatisfying(s -> assertThat(s).contains("traffic"));
    assertThat(r.usesRevision(4)).hasValueSatisfying(s -> assertThat(s).contains("alias 'live'"));
    assertThat(r.usesRevision(1)).isEmpty();
    assertThat(r.withoutAlias("live").withTraffic(Traffic.LATEST).isDefault()).isTrue();
  }
}
