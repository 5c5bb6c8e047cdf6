package dev.pilotlight.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The data key secrets are encrypted under: 256 random bits in a file of its own, outside the
 * database, so a copy of the database (a backup, a stolen disk image of the data dir without the
 * key) holds nothing readable. The file is one line, the key in base64, mode 0600 in a 0700
 * directory; it is made once, atomically (a crash leaves the old state or the whole file, never a
 * part), and never replaced. A key is known by its id, the first 8 bytes of its SHA-256 in hex,
 * which the database stores beside each value so that a wrong key file is named as such.
 */
final class SecretKeyFile {
  private static final System.Logger LOG = System.getLogger(SecretKeyFile.class.getName());
  static final int KEY_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private SecretKeyFile() {}

  /** A loaded key and its id. */
  record Key(SecretKey key, String id) {
    @Override
    public String toString() {
      return "Key[" + id + "]"; // never the key
    }
  }

  /**
   * The key in {@code file}.
   *
   * @throws NoSuchFileException when there is no such file
   * @throws StoreException when it is not a key file (not one base64 line of 32 bytes)
   */
  static Key load(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new StoreException("secrets key file " + file + ": not a key (expected: one line, " + KEY_BYTES + " bytes in base64)");
    }
    if (raw.length != KEY_BYTES) {
      throw new StoreException("secrets key file " + file + ": holds " + raw.length + " bytes (expected: " + KEY_BYTES
          + ", an AES-256 key in base64)");
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (!OWNER_ONLY.containsAll(perms)) {
        LOG.log(System.Logger.Level.WARNING, "secrets key file " + file + " is readable by others ("
            + PosixFilePermissions.toString(perms) + "): chmod 600 it");
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
    Key key = new Key(new SecretKeySpec(raw, "AES"), idOf(raw));
    Arrays.fill(raw, (byte) 0);
    return key;
  }

  /** Makes {@code file} with a new random key (and its directory, 0700), unless it exists: then the key in it. */
  static Key create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    byte[] raw = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(raw);
    byte[] line = (Base64.getEncoder().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
    Arrays.fill(raw, (byte) 0);
    Path tmp = Files.createTempFile(dir, ".secrets-key-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(line));
        ch.force(true);
      }
      Arrays.fill(line, (byte) 0);
      try {
        // A link never replaces: two daemons racing (or a key restored meanwhile) keep the one that was there.
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException e) {
        return load(file);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        // some file systems cannot sync a directory; the link is made either way
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    LOG.log(System.Logger.Level.INFO, "pilotlight: made the secrets key " + file + " (back it up: without it the secrets cannot be read)");
    return load(file);
  }

  static String idOf(byte[] raw) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JDK", e);
    }
  }
}
