package dev.pilotlight.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A rhythm's bytes: both formats read back as written, and damage refused with the reason. */
class RhythmCodecTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static IdleTimeHistogram histogram(int... minutes) {
    IdleTimeHistogram h = new IdleTimeHistogram();
    for (int m : minutes) {
      h.record(Duration.ofMinutes(m));
    }
    return h;
  }

  /** Three levels: level 1 idle since T0, level 2 busy (no idle start), level 3 idle since a minute before. */
  static List<RhythmCodec.Level> threeLevels() {
    return List.of(new RhythmCodec.Level(histogram(9, 9, 9), T0), new RhythmCodec.Level(histogram(9, 30), null),
        new RhythmCodec.Level(histogram(), T0.minusSeconds(60)));
  }

  @Test
  void oneLevelIsWrittenAsItsHistogramAlone() {
    IdleTimeHistogram h = histogram(3, 3, 7);
    byte[] bytes = RhythmCodec.encode(List.of(new RhythmCodec.Level(h, T0)));
    assertThat(bytes).isEqualTo(h.toBytes()); // format 1: what the store held before levels existed
    List<RhythmCodec.Level> back = RhythmCodec.decode(bytes);
    assertThat(back).hasSize(1);
    assertThat(back.getFirst().histogram().toBytes()).isEqualTo(h.toBytes());
    assertThat(back.getFirst().idleSince()).isNull(); // the store's own column carries level 1's
  }

  @Test
  void severalLevelsReadBackWithTheirIdleStarts() {
    byte[] bytes = RhythmCodec.encode(threeLevels());
    assertThat(bytes[0]).isEqualTo(RhythmCodec.LEVELS_FORMAT);
    List<RhythmCodec.Level> back = RhythmCodec.decode(bytes);
    assertThat(back).extracting(RhythmCodec.Level::idleSince).containsExactly(T0, null, T0.minusSeconds(60));
    for (int i = 0; i < 3; i++) {
      assertThat(back.get(i).histogram().toBytes()).isEqualTo(threeLevels().get(i).histogram().toBytes());
    }
  }

  @Test
  void anEmptyHistogramOfOneLevelReadsBackEmpty() {
    assertThat(RhythmCodec.decode(RhythmCodec.encode(List.of(new RhythmCodec.Level(new IdleTimeHistogram(), null)))).getFirst()
        .histogram().total()).isZero();
  }

  @Test
  void levelCountsOutOfRangeAreNotWritten() {
    assertThatThrownBy(() -> RhythmCodec.encode(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("levels: 0 (expected: 1.." + IdleTimeTracker.MAX_LEVELS + ")");
    List<RhythmCodec.Level> tooMany = Collections.nCopies(IdleTimeTracker.MAX_LEVELS + 1, new RhythmCodec.Level(new IdleTimeHistogram(), null));
    assertThatThrownBy(() -> RhythmCodec.encode(tooMany)).isInstanceOf(IllegalArgumentException.class);
    assertThat(RhythmCodec.decode(RhythmCodec.encode(tooMany.subList(0, IdleTimeTracker.MAX_LEVELS)))).hasSize(IdleTimeTracker.MAX_LEVELS);
  }

  // Moved here from IdleTimeTrackerTest.damagedBytesAreRefusedWithTheReason, with the far past and
  // too many levels added.
  @Test
  void damagedBytesAreRefusedWithTheReason() {
    byte[] bytes = RhythmCodec.encode(threeLevels());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> RhythmCodec.decode(truncated)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    byte[] cutInAHeader = Arrays.copyOf(bytes, 5);
    assertThatThrownBy(() -> RhythmCodec.decode(cutInAHeader)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated or damaged");
    assertThatThrownBy(() -> RhythmCodec.decode(new byte[] {2, 0})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 levels");
    assertThatThrownBy(() -> RhythmCodec.decode(new byte[] {2, (byte) (IdleTimeTracker.MAX_LEVELS + 1)}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining((IdleTimeTracker.MAX_LEVELS + 1) + " levels");
    byte[] extra = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> RhythmCodec.decode(extra)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left over");
  }

  @Test
  void absurdIdleStartsAreRefused() {
    byte[] farFuture = RhythmCodec.encode(threeLevels());
    ByteBuffer.wrap(farFuture).putLong(2, Long.MAX_VALUE); // level 1's idle start
    assertThatThrownBy(() -> RhythmCodec.decode(farFuture)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("level 1 idle start");
    byte[] beforeTheEpoch = RhythmCodec.encode(threeLevels());
    ByteBuffer.wrap(beforeTheEpoch).putLong(2, -1);
    assertThatThrownBy(() -> RhythmCodec.decode(beforeTheEpoch)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idle start -1 ms");
    byte[] year3000 = RhythmCodec.encode(threeLevels());
    ByteBuffer.wrap(year3000).putLong(2, Instant.parse("3000-01-01T00:00:00Z").toEpochMilli());
    assertThat(RhythmCodec.decode(year3000).getFirst().idleSince()).isEqualTo(Instant.parse("3000-01-01T00:00:00Z"));
  }
}
