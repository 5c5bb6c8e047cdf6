package dev.pilotlight.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the unix mode ({@code st_mode}: file type and permission bits) that zip tools on unix record
 * for each entry. {@link java.util.zip.ZipFile} parses these bytes but does not expose them, so this
 * walks the central directory itself. It only reads; {@code ZipFile} remains the judge of whether
 * the zip is valid, so any inconsistency here simply yields no modes.
 */
final class ZipUnixModes {
  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int CENTRAL_HEADER = 0x02014b50;
  private static final int HOST_UNIX = 3;

  private ZipUnixModes() {}

  /** Entry name → mode, for entries whose "version made by" says unix; empty if unreadable. */
  static Map<String, Integer> read(Path zip) {
    try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
      return read(ch);
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static Map<String, Integer> read(FileChannel ch) throws IOException {
    long size = ch.size();
    // The end record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
    int tailLen = (int) Math.min(size, 22 + 65_535);
    ByteBuffer tail = readAt(ch, size - tailLen, tailLen);
    int eocd = -1;
    for (int i = tailLen - 22; i >= 0; i--) {
      if (tail.getInt(i) == EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      return Map.of();
    }
    long entries = Short.toUnsignedLong(tail.getShort(eocd + 10));
    long cdSize = Integer.toUnsignedLong(tail.getInt(eocd + 12));
    long cdOffset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
    if (entries == 0xFFFF || cdSize == 0xFFFF_FFFFL || cdOffset == 0xFFFF_FFFFL) {
      long locatorPos = size - tailLen + eocd - 20;
      if (locatorPos < 0) {
        return Map.of();
      }
      ByteBuffer locator = readAt(ch, locatorPos, 20);
      if (locator.getInt(0) != ZIP64_LOCATOR) {
        return Map.of();
      }
      long zip64Pos = locator.getLong(8);
      if (zip64Pos < 0 || zip64Pos + 56 > size) {
        return Map.of();
      }
      ByteBuffer zip64 = readAt(ch, zip64Pos, 56);
      if (zip64.getInt(0) != ZIP64_EOCD) {
        return Map.of();
      }
      entries = zip64.getLong(32);
      cdSize = zip64.getLong(40);
      cdOffset = zip64.getLong(48);
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
      return Map.of();
    }
    ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize);
    Map<String, Integer> modes = new HashMap<>();
    int p = 0;
    for (long n = 0; n < entries && p + 46 <= cd.limit(); n++) {
      if (cd.getInt(p) != CENTRAL_HEADER) {
        return Map.of();
      }
      int madeBy = Short.toUnsignedInt(cd.getShort(p + 4));
      int nameLen = Short.toUnsignedInt(cd.getShort(p + 28));
      int extraLen = Short.toUnsignedInt(cd.getShort(p + 30));
      int commentLen = Short.toUnsignedInt(cd.getShort(p + 32));
      int external = cd.getInt(p + 38);
      if (p + 46 + nameLen > cd.limit()) {
        return Map.of();
      }
      byte[] name = new byte[nameLen];
      cd.get(p + 46, name);
      int mode = external >>> 16;
      if (madeBy >>> 8 == HOST_UNIX && mode != 0) {
        // ZipFile decodes names as UTF-8 by default; decode the same way so the keys match.
        modes.put(new String(name, StandardCharsets.UTF_8), mode);
      }
      p += 46 + nameLen + extraLen + commentLen;
    }
    return modes;
  }

  private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        throw new IOException("unexpected end of zip");
      }
    }
    return buf.flip();
  }
}
