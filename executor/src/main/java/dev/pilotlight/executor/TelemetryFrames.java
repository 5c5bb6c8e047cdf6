package dev.pilotlight.executor;

import java.util.Arrays;

/**
 * Separates the log records AWS's runtime interface clients write to {@code _LAMBDA_TELEMETRY_LOG_FD}
 * from plain text on the same stream (Pilotlight points that descriptor at the instance's stderr).
 *
 * <p>A record is a frame: 4 bytes of type ({@code A5 5A 00} and a byte of flags, bit 1 set when a
 * timestamp follows), a 4-byte big-endian length, an 8-byte big-endian timestamp in microseconds
 * since the epoch when flagged, then the message. Each record is one log entry however many newlines
 * it holds or lacks: that is what keeps {@code context.getLogger().log("a")} and a following
 * {@code log("b")} two lines instead of {@code "ab"}.
 *
 * <p>Why a frame cannot be mistaken for text: {@code 0xA5} is a UTF-8 continuation byte, so it never
 * starts a character of valid UTF-8 text. A frame is recognised only where a character would start;
 * bytes that begin like a frame and then differ are passed on as text.
 */
final class TelemetryFrames {
  /** Where the separated parts go, in the order they were written. */
  interface Parts {
    /** Plain bytes {@code bytes[from, to)}. */
    void text(byte[] bytes, int from, int to);

    /**
     * A whole record {@code message[0, length)}, written at {@code timestampMicros} (0: the frame had
     * none), whose last byte was {@code buf[end - 1]} of the bytes being fed; a record longer than
     * {@link OutputCapture#MAX_LINE_BYTES} comes in parts of that size.
     */
    void record(byte[] message, int length, long timestampMicros, int end);
  }

  private static final int MAGIC_0 = 0xA5;
  private static final int MAGIC_1 = 0x5A;
  private static final int TIMESTAMP_FLAG = 0x02;
  private static final int MAX_PART = OutputCapture.MAX_LINE_BYTES;

  private enum Mode { TEXT, HEADER, MESSAGE }

  private Mode mode = Mode.TEXT;
  /** Continuation bytes still expected by the UTF-8 character the text is in (0: at a character boundary). */
  private int continuations;
  private final byte[] header = new byte[16];
  private int headerRead;
  private int headerLength;
  private long timestamp;
  private byte[] message = new byte[256];
  private int messageRead;
  private int messageLeft;

  /** Passes {@code buf[0, n)} on as text and records. */
  void feed(byte[] buf, int n, Parts parts) {
    int textFrom = 0;
    int i = 0;
    while (i < n) {
      int b = buf[i] & 0xFF;
      switch (mode) {
        case TEXT -> {
          if (continuations > 0 && (b & 0xC0) == 0x80) {
            continuations--;
          } else if (b == MAGIC_0) {
            if (i > textFrom) {
              parts.text(buf, textFrom, i);
            }
            mode = Mode.HEADER;
            header[0] = (byte) b;
            headerRead = 1;
            headerLength = 8;
          } else {
            continuations = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
          }
          i++;
        }
        case HEADER -> {
          if (headerRead == 1 && b != MAGIC_1 || headerRead == 2 && b != 0) {
            notAFrame(parts); // and this byte is looked at again as text
            textFrom = i;
            continue;
          }
          header[headerRead++] = (byte) b;
          if (headerRead == 4 && (b & TIMESTAMP_FLAG) != 0) {
            headerLength = 16;
          }
          i++;
          if (headerRead == headerLength) {
            int length = intAt(4);
            if (length < 0) {
              notAFrame(parts);
              textFrom = i;
              continue;
            }
            timestamp = headerLength == 16 ? ((long) intAt(8) << 32) | (intAt(12) & 0xFFFFFFFFL) : 0;
            messageLeft = length;
            messageRead = 0;
            mode = Mode.MESSAGE;
            if (length == 0) {
              endRecord(parts, i);
              textFrom = i;
            }
          }
        }
        case MESSAGE -> {
          int take = Math.min(messageLeft, Math.min(n - i, MAX_PART - messageRead));
          if (messageRead + take > message.length) {
            message = Arrays.copyOf(message, Math.max(message.length * 2, messageRead + take));
          }
          System.arraycopy(buf, i, message, messageRead, take);
          messageRead += take;
          messageLeft -= take;
          i += take;
          if (messageLeft == 0) {
            endRecord(parts, i);
            textFrom = i;
          } else if (messageRead == MAX_PART) {
            parts.record(message, messageRead, timestamp, i);
            messageRead = 0;
          }
        }
      }
    }
    if (mode == Mode.TEXT && n > textFrom) {
      parts.text(buf, textFrom, n);
    }
  }

  private void endRecord(Parts parts, int end) {
    parts.record(message, messageRead, timestamp, end);
    messageRead = 0;
    mode = Mode.TEXT;
    continuations = 0;
  }

  /** What began like a frame was text after all: it goes on as text, the text at a character boundary after it. */
  private void notAFrame(Parts parts) {
    parts.text(Arrays.copyOf(header, headerRead), 0, headerRead);
    mode = Mode.TEXT;
    continuations = 0;
  }

  private int intAt(int at) {
    return (header[at] & 0xFF) << 24 | (header[at + 1] & 0xFF) << 16 | (header[at + 2] & 0xFF) << 8 | (header[at + 3] & 0xFF);
  }
}
