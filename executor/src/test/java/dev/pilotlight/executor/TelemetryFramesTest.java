package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TelemetryFramesTest {
  /** What the parts said, text gathered between records: "T:<text>" and "R:<message>@<timestamp>". */
  static final class Seen implements TelemetryFrames.Parts {
    final List<String> parts = new ArrayList<>();
    final ByteArrayOutputStream text = new ByteArrayOutputStream();

    @Override
    public void text(byte[] bytes, int from, int to) {
      text.write(bytes, from, to - from);
    }

    @Override
    public void record(byte[] message, int length, long timestampMicros, int end) {
      endText();
      parts.add("R:" + new String(message, 0, length, StandardCharsets.UTF_8) + "@" + timestampMicros);
    }

    void endText() {
      if (text.size() > 0) {
        parts.add("T:" + text.toString(StandardCharsets.UTF_8));
        text.reset();
      }
    }

    List<String> all() {
      endText();
      return parts;
    }
  }

  /** A frame as AWS's Java runtime interface client writes it: type A55A00|flags, length, timestamp, message. */
  static byte[] frame(String message, long timestampMicros) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(16 + m.length).putInt(0xA55A0000 | 3 << 2 | 0x02).putInt(m.length).putLong(timestampMicros).put(m).array();
  }

  /** An older frame without a timestamp (flags 0x01: no timestamp bit). */
  static byte[] frameWithoutTimestamp(String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + m.length).putInt(0xA55A0001).putInt(m.length).put(m).array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> fedWhole(byte[] bytes) {
    Seen seen = new Seen();
    new TelemetryFrames().feed(bytes, bytes.length, seen);
    return seen.all();
  }

  static List<String> fedByteByByte(byte[] bytes) {
    Seen seen = new Seen();
    TelemetryFrames frames = new TelemetryFrames();
    for (byte b : bytes) {
      frames.feed(new byte[] {b}, 1, seen);
    }
    return seen.all();
  }

  @Test
  void recordsWithoutNewlinesStaySeparateFromEachOtherAndFromText() {
    byte[] stream = concat(utf8("before\nhalf"), frame("one", 1_700_000_000_000_001L), frame("two\nlines", 7), utf8(" done\n"));
    List<String> expected = List.of("T:before\nhalf", "R:one@1700000000000001", "R:two\nlines@7", "T: done\n");
    assertThat(fedWhole(stream)).isEqualTo(expected);
    assertThat(fedByteByByte(stream)).as("a frame split across reads").isEqualTo(expected);
  }

  @Test
  void frameTypeWithoutTheTimestampFlagHasAnEightByteHeader() {
    assertThat(fedWhole(concat(frameWithoutTimestamp("old style"), utf8("x")))).containsExactly("R:old style@0", "T:x");
  }

  @Test
  void utf8TextIsNeverTakenForAFrameEvenWithA5Bytes() {
    // ¥ is C2 A5: there A5 continues a character, and no frame starts inside a character
    byte[] text = utf8("price ¥5Z\u0000 and ¥¥\n");
    assertThat(fedWhole(text)).containsExactly("T:price ¥5Z\u0000 and ¥¥\n");
    assertThat(fedByteByByte(text)).containsExactly("T:price ¥5Z\u0000 and ¥¥\n");
  }

  @Test
  void bytesThatBeginLikeAFrameAndDifferAreText() {
    byte[] stream = concat(new byte[] {(byte) 0xA5, 0x5A, 'x'}, utf8("y\n"), frame("real", 1));
    assertThat(fedWhole(stream)).containsExactly("T:" + new String(new byte[] {(byte) 0xA5, 0x5A, 'x', 'y', '\n'}, StandardCharsets.UTF_8),
        "R:real@1");
    // and an A5 right after the false start may begin a frame itself
    byte[] again = concat(new byte[] {(byte) 0xA5}, frame("second", 2));
    assertThat(fedByteByByte(again)).containsExactly("T:" + new String(new byte[] {(byte) 0xA5}, StandardCharsets.UTF_8), "R:second@2");
  }

  @Test
  void aRecordLongerThanALineComesInParts() {
    String big = "a".repeat(OutputCapture.MAX_LINE_BYTES) + "tail";
    List<String> seen = fedWhole(frame(big, 5));
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).hasSize(2 + OutputCapture.MAX_LINE_BYTES + 2);
    assertThat(seen.get(1)).isEqualTo("R:tail@5");
  }

  @Test
  void anEmptyRecordIsAnEmptyLine() {
    assertThat(fedWhole(concat(frame("", 3), utf8("z")))).containsExactly("R:@3", "T:z");
  }

  @Test
  void anyCutOfTheStreamGivesTheSameRecordsOnce() {
    // many records and lines, the stream cut into reads at random places (seeded): each record exactly once, in order
    java.util.Random random = new java.util.Random(17);
    List<byte[]> parts = new java.util.ArrayList<>();
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      parts.add(frame("r" + i, i));
      expected.add("R:r" + i + "@" + i);
      if (i % 7 == 0) {
        parts.add(utf8("t" + i + "\n"));
        expected.add("T:t" + i + "\n");
      }
    }
    byte[] stream = concat(parts.toArray(byte[][]::new));
    for (int round = 0; round < 200; round++) {
      Seen seen = new Seen();
      TelemetryFrames frames = new TelemetryFrames();
      int at = 0;
      while (at < stream.length) {
        int n = Math.min(stream.length - at, 1 + random.nextInt(64));
        byte[] read = java.util.Arrays.copyOfRange(stream, at, at + n);
        frames.feed(read, n, seen);
        at += n;
      }
      List<String> records = seen.all().stream().filter(x -> x.startsWith("R:")).toList();
      assertThat(records).as("round %d", round).isEqualTo(expected.stream().filter(x -> x.startsWith("R:")).toList());
      assertThat(String.join("", seen.all().stream().filter(x -> x.startsWith("T:")).map(x -> x.substring(2)).toList()))
          .isEqualTo(String.join("", expected.stream().filter(x -> x.startsWith("T:")).map(x -> x.substring(2)).toList()));
    }
  }
}
