package dev.pilotlight.gateway.lambda;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * AWS's event-stream framing ({@code application/vnd.amazon.eventstream}), as
 * {@code InvokeWithResponseStream} answers: each message is a 12-byte prelude (total length,
 * headers length, CRC32 of those 8 bytes, all big-endian), its headers (name length as one byte,
 * name, value type 7 = string, value length as two bytes, value), its payload, and a CRC32 of
 * everything before it.
 */
public final class EventStreamMessages {
  private static final byte STRING = 7;

  private EventStreamMessages() {}

  /** An {@code event} message of type {@code eventType} carrying {@code payload} as {@code contentType}. */
  public static byte[] event(String eventType, String contentType, byte[] payload) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":event-type", eventType);
    headers.put(":content-type", contentType);
    headers.put(":message-type", "event");
    return message(headers, payload);
  }

  /** One message with string headers, in the order given. */
  public static byte[] message(Map<String, String> headers, byte[] payload) {
    int headersLength = 0;
    for (var h : headers.entrySet()) {
      int name = h.getKey().getBytes(StandardCharsets.UTF_8).length;
      int value = h.getValue().getBytes(StandardCharsets.UTF_8).length;
      if (name > 255 || value > 65_535) {
        throw new IllegalArgumentException("header " + h.getKey() + ": name or value too long for the event-stream framing");
      }
      headersLength += 1 + name + 1 + 2 + value;
    }
    int total = 12 + headersLength + payload.length + 4;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.putInt(total).putInt(headersLength);
    b.putInt(crc(b.array(), 0, 8));
    for (var h : headers.entrySet()) {
      byte[] name = h.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = h.getValue().getBytes(StandardCharsets.UTF_8);
      b.put((byte) name.length).put(name).put(STRING).putShort((short) value.length).put(value);
    }
    b.put(payload);
    b.putInt(crc(b.array(), 0, total - 4));
    return b.array();
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32 c = new CRC32();
    c.update(bytes, offset, length);
    return (int) c.getValue();
  }
}
