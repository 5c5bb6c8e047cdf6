package dev.pilotlight.store;

import dev.pilotlight.model.Failure;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Enumeration;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Unpacks an untrusted zip into an empty directory, refusing anything that could escape it or
 * exhaust the disk. Sizes are counted from the bytes actually inflated, never from the zip's own
 * size fields, which an attacker writes. On failure the target is left partly filled; the caller
 * unpacks into a scratch directory and deletes it.
 */
final class SafeUnzip {
  /** Entries that inflate past this size must not expand more than {@link #MAX_RATIO} times. */
  static final long RATIO_CHECK_FROM_BYTES = 1024 * 1024;
  static final long MAX_RATIO = 200;

  private static final int S_IFMT = 0170000;
  private static final int S_IFLNK = 0120000;
  /** The longest file or directory name Linux file systems take (NAME_MAX), in bytes. */
  static final int MAX_NAME_BYTES = 255;
  /** The longest path Linux takes (PATH_MAX, with its terminating NUL), in bytes. */
  static final int MAX_PATH_BYTES = 4096;
  /** What the JDK says when a path is past the system's limit (ENAMETOOLONG, glibc's wording). */
  private static final String NAME_TOO_LONG = "File name too long";
  private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:.*");

  private SafeUnzip() {}

  static void unpack(Path zip, Path target, PackageLimits limits) throws IOException {
    Map<String, Integer> modes = ZipUnixModes.read(zip);
    ZipFile zf;
    try {
      zf = new ZipFile(zip.toFile());
    } catch (ZipException e) {
      throw new Failure.InvalidInput("package is not a valid zip file (" + e.getMessage() + ")");
    }
    try (zf) {
      if (zf.size() > limits.maxEntries()) {
        throw tooManyEntries(limits);
      }
      long total = 0;
      int count = 0;
      int files = 0;
      byte[] buf = new byte[64 * 1024];
      for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements(); ) {
        ZipEntry entry = en.nextElement();
        if (++count > limits.maxEntries()) {
          throw tooManyEntries(limits);
        }
        String name = entry.getName();
        Path rel = relativePath(name);
        Path dest = target.resolve(rel).normalize();
        if (!dest.startsWith(target)) {
          throw escapes(name);
        }
        if (dest.toString().getBytes(StandardCharsets.UTF_8).length >= MAX_PATH_BYTES) {
          throw tooLong(name);
        }
        Integer mode = modes.get(name);
        if (mode != null && (mode & S_IFMT) == S_IFLNK) {
          throw new Failure.InvalidInput("package entry '" + name
              + "' is a symbolic link; links are not supported (zip without -y/--symlinks so the file itself is stored)");
        }
        try {
          if (entry.isDirectory() || name.endsWith("\\")) {
            Files.createDirectories(dest);
            continue;
          }
          if (dest.equals(target)) {
            throw new Failure.InvalidInput("package entry '" + name + "' is a file without a file name");
          }
          Files.createDirectories(dest.getParent());
          total = inflate(zf, entry, dest, buf, total, limits);
          files++;
        } catch (FileAlreadyExistsException e) {
          throw new Failure.InvalidInput("package entry '" + name + "' clashes with another entry of the same path");
        } catch (ZipException | EOFException e) {
          throw new Failure.InvalidInput("package entry '" + name + "' is damaged (" + e.getMessage() + ")");
        } catch (FileSystemException e) {
          if (NAME_TOO_LONG.equals(e.getReason())) {
            throw tooLong(name); // a limit below PATH_MAX on this file system (the check above is Linux's)
          }
          throw e;
        }
        boolean executable = mode != null
            ? (mode & 0111) != 0 || isBootstrap(dest)
            : isBootstrap(dest) || isExtension(rel) || dest.getFileName().toString().endsWith(".sh");
        setPermissions(dest, executable);
      }
      if (files == 0) {
        // nothing could ever run from it; Lambda refuses it too ("Uploaded file must be a non-empty zip")
        throw new Failure.InvalidInput("package holds no files" + (count == 0 ? "" : " (only directories)") + ": nothing to run");
      }
    }
  }

  /**
   * The entry's path relative to the package root. Backslashes count as separators (zips made on
   * Windows use them), and names that are absolute, carry a drive letter, or climb out with
   * {@code ..} are refused.
   */
  private static Path relativePath(String name) {
    String n = name.replace('\\', '/');
    if (n.isEmpty() || n.startsWith("/") || DRIVE_LETTER.matcher(n).matches() || n.indexOf('\0') >= 0) {
      throw escapes(name);
    }
    Path p;
    try {
      p = Path.of(n).normalize();
    } catch (InvalidPathException e) {
      throw new Failure.InvalidInput("package entry '" + name + "' has a name that is not a valid path");
    }
    if (p.isAbsolute() || p.startsWith("..")) {
      throw escapes(name);
    }
    for (Path part : p) {
      if (part.toString().getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw new Failure.InvalidInput("package entry '" + shortened(name) + "' has a file or directory name longer than "
            + MAX_NAME_BYTES + " bytes, which no Linux file system takes");
      }
    }
    return p;
  }

  /** Copies one entry, counting inflated bytes as they come; returns the new running total. */
  private static long inflate(ZipFile zf, ZipEntry entry, Path dest, byte[] buf, long total, PackageLimits limits)
      throws IOException {
    long written = 0;
    // The compressed size comes from the central directory and bounds what the inflater may read.
    long compressed = Math.max(entry.getCompressedSize(), 1);
    var crc = new CRC32();
    try (InputStream in = zf.getInputStream(entry);
        FileChannel ch = FileChannel.open(dest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream out = Channels.newOutputStream(ch)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        written += n;
        total += n;
        if (total > limits.maxUnpackedBytes()) {
          throw new Failure.PayloadTooLarge("package unpacks to more than the "
              + PackageLimits.describe(limits.maxUnpackedBytes()) + " limit (unpacked)");
        }
        if (written > RATIO_CHECK_FROM_BYTES && written > compressed * MAX_RATIO) {
          throw new Failure.InvalidInput("package entry '" + entry.getName() + "' expands more than "
              + MAX_RATIO + " times; the package looks like a zip bomb");
        }
        crc.update(buf, 0, n);
        out.write(buf, 0, n);
      }
      if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
        throw new Failure.InvalidInput("package entry '" + entry.getName() + "' is damaged (checksum mismatch)");
      }
      // Durable before the directory is published: the registry may point at it right after.
      ch.force(true);
    }
    return total;
  }

  /**
   * Unix permissions: rwxr-xr-x or rw-r--r--. Recorded modes are honoured for the executable bit
   * only; {@code bootstrap} is always executable because the {@code provided} runtime needs it to
   * be, and when the zip records no modes at all (zips made on Windows, or by
   * {@link java.util.zip.ZipOutputStream}) files ending in {@code .sh} are made executable too.
   */
  private static void setPermissions(Path file, boolean executable) throws IOException {
    var view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view != null) {
      view.setPermissions(PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    } else if (executable) {
      file.toFile().setExecutable(true, false);
    }
  }

  /**
   * An external Lambda extension: a file directly in {@code opt/extensions/} (executable on AWS by
   * definition; zips written by Java tools, the CLI's among them, record no mode).
   */
  private static boolean isExtension(Path rel) {
    return rel.getNameCount() == 3 && rel.getName(0).toString().equals("opt") && rel.getName(1).toString().equals("extensions");
  }

  private static boolean isBootstrap(Path file) {
    return file.getFileName().toString().equals("bootstrap");
  }

  /** The whole path, with the directory the code is unpacked in, is past the system's limit. */
  private static Failure.InvalidInput tooLong(String name) {
    return new Failure.InvalidInput("package entry '" + shortened(name) + "' has a path too long for the file system");
  }

  /** An entry's name as an error message quotes it: at most 200 characters. */
  private static String shortened(String name) {
    return name.length() <= 200 ? name : name.substring(0, 200) + "…";
  }

  private static Failure.InvalidInput escapes(String name) {
    return new Failure.InvalidInput("package entry '" + name + "' points outside the package directory");
  }

  private static Failure.InvalidInput tooManyEntries(PackageLimits limits) {
    return new Failure.InvalidInput("package has more than " + limits.maxEntries()
        + " entries; it looks like a zip bomb");
  }
}
