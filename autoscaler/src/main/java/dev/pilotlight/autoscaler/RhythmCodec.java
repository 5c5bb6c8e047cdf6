package dev.pilotlight.autoscaler;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * A function's rhythm (its {@link IdleTimeTracker} levels) as the bytes the store keeps, in two
 * formats:
 *
 * <ul>
 *   <li>format 1, one level: the level's {@link IdleTimeHistogram#toBytes}, as before levels
 *       existed; its idle start is not in it (the store keeps level 1's in a column of its own);
 *   <li>format 2, more levels: {@value #LEVELS_FORMAT} (1 byte), the level count (1), then per level
 *       when its idle spell began (8: epoch milliseconds, {@code Long.MIN_VALUE} for none), its
 *       histogram's length (2) and bytes. Level 1's idle start is written too, but the store's
 *       column wins.
 * </ul>
 *
 * A histogram's own bytes never begin with {@value #LEVELS_FORMAT}, which tells the formats apart.
 * Decoding refuses what no encoder wrote (a level count out of range, a truncated level, bytes left
 * over, an idle start before 1970 or after 3000) rather than learn from damage.
 */
final class RhythmCodec {
  /** One level: its histogram and when its idle spell began (null: busy or never idle). */
  record Level(IdleTimeHistogram histogram, Instant idleSince) {}

  static final byte LEVELS_FORMAT = 2;
  private static final long NO_IDLE_START = Long.MIN_VALUE;
  /** 3000-01-01: an idle start past it is damage, not a date. */
  private static final long MAX_IDLE_START_MS = 32_503_680_000_000L;

  private RhythmCodec() {}

  /** The bytes of {@code levels} (1 to {@link IdleTimeTracker#MAX_LEVELS}): format 1 for one level, else format 2. */
  static byte[] encode(List<Level> levels) {
    if (levels.isEmpty() || levels.size() > IdleTimeTracker.MAX_LEVELS) {
      throw new IllegalArgumentException("levels: " + levels.size() + " (expected: 1.." + IdleTimeTracker.MAX_LEVELS + ")");
    }
    if (levels.size() == 1) {
      return levels.getFirst().histogram().toBytes();
    }
    byte[][] parts = new byte[levels.size()][];
    int size = 2;
    for (int i = 0; i < parts.length; i++) {
      parts[i] = levels.get(i).histogram().toBytes();
      size += 8 + 2 + parts[i].length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(LEVELS_FORMAT);
    b.put((byte) parts.length);
    for (int i = 0; i < parts.length; i++) {
      Instant since = levels.get(i).idleSince();
      b.putLong(since == null ? NO_IDLE_START : since.toEpochMilli());
      b.putShort((short) parts[i].length);
      b.put(parts[i]);
    }
    return b.array();
  }

  /** Reads what {@link #encode} wrote (either format); throws {@link IllegalArgumentException} on anything else. */
  static List<Level> decode(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != LEVELS_FORMAT) {
      return List.of(new Level(IdleTimeHistogram.fromBytes(bytes), null));
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      b.get();
      int n = Byte.toUnsignedInt(b.get());
      if (n < 1 || n > IdleTimeTracker.MAX_LEVELS) {
        throw new IllegalArgumentException("keep-alive rhythm: " + n + " levels (expected: 1.." + IdleTimeTracker.MAX_LEVELS + ")");
      }
      Level[] out = new Level[n];
      for (int i = 0; i < n; i++) {
        long since = b.getLong();
        if (since != NO_IDLE_START && (since < 0 || since > MAX_IDLE_START_MS)) {
          throw new IllegalArgumentException("keep-alive rhythm: level " + (i + 1) + " idle start " + since + " ms (expected: 0.."
              + MAX_IDLE_START_MS + ")");
        }
        int len = Short.toUnsignedInt(b.getShort());
        if (len > b.remaining()) {
          throw new IllegalArgumentException("keep-alive rhythm: level " + (i + 1) + " truncated");
        }
        byte[] h = new byte[len];
        b.get(h);
        out[i] = new Level(IdleTimeHistogram.fromBytes(h), since == NO_IDLE_START ? null : Instant.ofEpochMilli(since));
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("keep-alive rhythm: " + b.remaining() + " bytes left over");
      }
      return List.of(out);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("keep-alive rhythm: truncated or damaged (" + bytes.length + " bytes)", e);
    }
  }
}
