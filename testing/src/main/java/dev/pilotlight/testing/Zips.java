package dev.pilotlight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds zip packages in memory for tests: well-formed ones and the hostile kinds a server must
 * refuse (zip-slip names, bombs, too many entries, not-a-zip, truncated).
 */
public final class Zips {
  private Zips() {}

  /** One entry for {@link #withUnixModes}: {@code unixMode} as in {@code ls -l}, e.g. {@code 0755}. */
  public record Entry(String name, byte[] data, int unixMode) {
    public Entry {
      if (name == null || data == null) {
        throw new IllegalArgumentException("entry: name and data are required");
      }
    }

    public static Entry file(String name, String text, int permissions) {
      return new Entry(name, text.getBytes(StandardCharsets.UTF_8), S_IFREG | permissions);
    }

    public static Entry symlink(String name, String target) {
      return new Entry(name, target.getBytes(StandardCharsets.UTF_8), S_IFLNK | 0777);
    }
  }

  /** Unix file-type bits stored in the high half of a zip entry's external attributes. */
  public static final int S_IFREG = 0100000;
  public static final int S_IFLNK = 0120000;

  /** A deflated zip of {@code files}, in the map's iteration order (names ending in / are directories). */
  public static byte[] of(Map<String, byte[]> files) {
    var out = new ByteArrayOutputStream();
    try (var zip = new ZipOutputStream(out)) {
      for (var e : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Like {@link #of} with UTF-8 text contents; arguments alternate name, text, name, text… */
  public static byte[] ofText(String... nameTextPairs) {
    if (nameTextPairs.length % 2 != 0) {
      throw new IllegalArgumentException("nameTextPairs: odd count " + nameTextPairs.length + " (expected: name, text pairs)");
    }
    var files = new LinkedHashMap<String, byte[]>();
    for (int i = 0; i < nameTextPairs.length; i += 2) {
      files.put(nameTextPairs[i], nameTextPairs[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return of(files);
  }

  /**
   * A zip whose entries record unix modes ("version made by" = unix), as {@code zip} on Linux
   * writes them. {@link ZipOutputStream} cannot do this, so the entries are written by hand, stored
   * uncompressed.
   */
  public static byte[] withUnixModes(List<Entry> entries) {
    var out = new ByteArrayOutputStream();
    var central = new ByteArrayOutputStream();
    for (Entry e : entries) {
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      var crc = new CRC32();
      crc.update(e.data());
      int offset = out.size();
      ByteBuffer local = le(30 + name.length);
      local.putInt(0x04034b50).putShort((short) 10).putShort((short) 0x0800).putShort((short) 0)
          .putShort((short) 0).putShort((short) 0x21) // 1980-01-01
          .putInt((int) crc.getValue()).putInt(e.data().length).putInt(e.data().length)
          .putShort((short) name.length).putShort((short) 0).put(name);
      out.writeBytes(local.array());
      out.writeBytes(e.data());
      ByteBuffer cd = le(46 + name.length);
      cd.putInt(0x02014b50).putShort((short) (3 << 8 | 30)).putShort((short) 10)
          .putShort((short) 0x0800).putShort((short) 0).putShort((short) 0).putShort((short) 0x21)
          .putInt((int) crc.getValue()).putInt(e.data().length).putInt(e.data().length)
          .putShort((short) name.length).putShort((short) 0).putShort((short) 0)
          .putShort((short) 0).putShort((short) 0).putInt(e.unixMode() << 16).putInt(offset).put(name);
      central.writeBytes(cd.array());
    }
    int cdOffset = out.size();
    out.writeBytes(central.toByteArray());
    ByteBuffer end = le(22);
    end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
        .putShort((short) entries.size()).putShort((short) entries.size())
        .putInt(central.size()).putInt(cdOffset).putShort((short) 0);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  /** A zip holding {@code ok.txt} and then an entry named {@code hostileName}, e.g. {@code ../evil.txt}. */
  public static byte[] slip(String hostileName) {
    var files = new LinkedHashMap<String, byte[]>();
    files.put("ok.txt", "fine".getBytes(StandardCharsets.UTF_8));
    files.put(hostileName, "escaped".getBytes(StandardCharsets.UTF_8));
    return of(files);
  }

  /** A zip-slip package whose second entry is {@code ../evil.txt}. */
  public static byte[] slip() {
    return slip("../evil.txt");
  }

  /**
   * A small zip holding {@code bomb.bin}: {@code megabytes} MiB of zeros, deflated at the best level
   * (about 1000:1). Built by streaming, so a large bomb costs little memory.
   */
  public static byte[] bomb(int megabytes) {
    var out = new ByteArrayOutputStream();
    try (var zip = new ZipOutputStream(out)) {
      zip.setLevel(Deflater.BEST_COMPRESSION);
      zip.putNextEntry(new ZipEntry("bomb.bin"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < megabytes; i++) {
        zip.write(zeros);
      }
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A zip of {@code count} one-byte files {@code f0 … f(count-1)}. */
  public static byte[] manyEntries(int count) {
    var files = new LinkedHashMap<String, byte[]>();
    for (int i = 0; i < count; i++) {
      files.put("f" + i, new byte[] {'x'});
    }
    return of(files);
  }

  /** {@code size} pseudo-random bytes, which deflate cannot shrink; the same for the same seed. */
  public static byte[] incompressible(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** Bytes that are not a zip at all. */
  public static byte[] notAZip() {
    return "this is not a zip file, just some text\n".getBytes(StandardCharsets.UTF_8);
  }

  /** The first half of {@code zip}: a damaged download. */
  public static byte[] truncated(byte[] zip) {
    return Arrays.copyOf(zip, zip.length / 2);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
