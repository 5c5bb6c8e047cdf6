package dev.pilotlight.gateway.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event-stream framing against byte layouts worked out by hand. */
class EventStreamMessagesTest {
  @Test
  void aMessageWithNoHeadersAndNoPayloadIsPreludeAndTwoChecksums() {
    // total 16, headers 0; CRC32 of 00000010 00000000 is 05c248eb, of those 12 bytes 7d98c8ff
    // (worked out apart from Java, with Python's zlib.crc32).
    assertThat(HexFormat.of().formatHex(EventStreamMessages.message(Map.of(), new byte[0])))
        .isEqualTo("00000010" + "00000000" + "05c248eb" + "7d98c8ff");
  }

  @Test
  void headersAreNameLengthNameTypeSevenValueLengthValue() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("ab", "xyz");
    byte[] m = EventStreamMessages.message(headers, "hi".getBytes(StandardCharsets.UTF_8));
    String hex = HexFormat.of().formatHex(m);
    // headers: 02 'a' 'b' 07 0003 'x' 'y' 'z' = 9 bytes; total 12 + 9 + 2 + 4 = 27 (0x1b)
    assertThat(hex.substring(0, 16)).isEqualTo("0000001b" + "00000009");
    assertThat(hex.substring(24, 24 + 18)).isEqualTo("02" + "6162" + "07" + "0003" + "78797a");
    assertThat(hex.substring(42, 46)).isEqualTo("6869");
    java.util.zip.CRC32 prelude = new java.util.zip.CRC32();
    prelude.update(m, 0, 8);
    assertThat(hex.substring(16, 24)).isEqualTo(String.format("%08x", prelude.getValue()));
    java.util.zip.CRC32 all = new java.util.zip.CRC32();
    all.update(m, 0, m.length - 4);
    assertThat(hex.substring(hex.length() - 8)).isEqualTo(String.format("%08x", all.getValue()));
  }

  @Test
  void anEventCarriesItsTypeContentTypeAndMessageType() {
    String text = new String(EventStreamMessages.event("PayloadChunk", "application/octet-stream", new byte[] {1}), StandardCharsets.ISO_8859_1);
    assertThat(text).contains(":event-type\u0007\u0000\u000cPayloadChunk", ":content-type\u0007\u0000\u0018application/octet-stream",
        ":message-type\u0007\u0000\u0005event");
  }
}
