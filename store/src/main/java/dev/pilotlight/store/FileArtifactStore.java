package dev.pilotlight.store;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.io.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * {@link ArtifactStore} on the local file system. Every change is made in {@code tmp/} and
 * published by one atomic rename, so a crash or a hostile zip never leaves a partial code
 * directory where readers look.
 */
final class FileArtifactStore implements ArtifactStore {

  private final Path root;
  private final Path codeRoot;
  private final Path zipRoot;
  private final Path tmp;
  private final PackageLimits limits;
  /** A code directory's own mode, as its unpacked subdirectories have: rwxr-xr-x. */
  private static final Set<PosixFilePermission> CODE_DIR = PosixFilePermissions.fromString("rwxr-xr-x");
  /** Stores run concurrently (read side); collection excludes them (write side). */
  private final ReadWriteLock gcLock = new ReentrantReadWriteLock();

  private FileArtifactStore(Path root, PackageLimits limits) {
    this.root = root;
    this.codeRoot = root.resolve("code");
    this.zipRoot = root.resolve("sha256");
    this.tmp = root.resolve("tmp");
    this.limits = limits;
  }

  static FileArtifactStore open(Path root, PackageLimits limits) {
    if (root == null || limits == null) {
      throw new IllegalArgumentException("artifact store: root and limits are required");
    }
    var store = new FileArtifactStore(root.toAbsolutePath().normalize(), limits);
    try {
      Files.createDirectories(store.codeRoot);
      Files.createDirectories(store.zipRoot);
      Files.createDirectories(store.tmp);
      // Whatever is in tmp/ was abandoned by a crash mid-upload; nothing refers to it.
      try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(store.tmp)) {
        for (Path p : leftovers) {
          FileTrees.deleteTree(p);
        }
      }
      // Code unpacked before code was read by sandbox uids had a private top directory.
      try (DirectoryStream<Path> codes = Files.newDirectoryStream(store.codeRoot)) {
        for (Path code : codes) {
          Files.setPosixFilePermissions(code, CODE_DIR);
        }
      }
    } catch (IOException e) {
      throw new StoreException("artifact store " + store.root + ": cannot open: " + e.getMessage(), e);
    }
    return store;
  }

  @Override
  public StoredPackage store(InputStream zipStream) {
    if (zipStream == null) {
      throw new IllegalArgumentException("zipStream: null (expected: the uploaded zip)");
    }
    gcLock.readLock().lock();
    Path upload = null;
    try {
      upload = Files.createTempFile(tmp, "upload-", ".zip");
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long size = receive(zipStream, upload, sha);
      String hex = Sha256.hex(sha.digest());
      Path dir = codeDir(hex);
      if (!Files.isDirectory(dir)) {
        unpack(upload, dir);
      }
      Path zip = zipPath(hex);
      if (!Files.exists(zip)) {
        Files.createDirectories(zip.getParent());
        Files.move(upload, zip, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(zip.getParent());
      }
      return new StoredPackage(hex, size, dir);
    } catch (IOException e) {
      throw new StoreException("artifact store " + root + ": storing a package failed: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    } finally {
      if (upload != null) {
        deleteQuietly(upload);
      }
      gcLock.readLock().unlock();
    }
  }

  /** Copies the upload to {@code file}, hashing as it goes; stops reading once past the limit. */
  private long receive(InputStream in, Path file, MessageDigest sha) throws IOException {
    long size = 0;
    byte[] buf = new byte[64 * 1024];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        OutputStream out = Channels.newOutputStream(ch)) {
      int n;
      while (true) {
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new IOException("reading the upload failed: " + e.getMessage(), e);
        }
        if (n < 0) {
          break;
        }
        size += n;
        if (size > limits.maxZippedBytes()) {
          throw new Failure.PayloadTooLarge("package is larger than the "
              + PackageLimits.describe(limits.maxZippedBytes()) + " limit (zipped)");
        }
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
      ch.force(true);
    }
    return size;
  }

  /** Unpacks into a scratch directory, then publishes it as {@code dir} with one rename. */
  private void unpack(Path zip, Path dir) throws IOException {
    Path work = Files.createTempDirectory(tmp, "unpack-");
    try {
      SafeUnzip.unpack(zip, work, limits);
      // Readable by an instance's sandbox uid, which sees it at its task root; the data dir (0700)
      // keeps it from everyone else.
      Files.setPosixFilePermissions(work, CODE_DIR);
      // Files were forced as they were written; their directory entries need the same.
      try (Stream<Path> tree = Files.walk(work)) {
        tree.filter(Files::isDirectory).forEach(FileArtifactStore::fsyncDirectory);
      }
      try {
        Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(codeRoot);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // A concurrent upload of the same bytes won the race; its directory is identical.
      }
    } finally {
      if (Files.exists(work)) {
        FileTrees.deleteTree(work);
      }
    }
  }

  @Override
  public Path codeDir(String sha256) {
    if (!Sha256.isValid(sha256)) {
      throw new IllegalArgumentException("sha256: '" + sha256 + "' (expected: 64 lowercase hex digits)");
    }
    return codeRoot.resolve(sha256);
  }

  /** The stored zip of {@code sha256} (it exists once {@link #store} returned that sha). */
  Path zipPath(String sha256) {
    return zipRoot.resolve(sha256.substring(0, 2)).resolve(sha256 + ".zip");
  }

  @Override
  public void retainOnly(Set<String> liveShas) {
    if (liveShas == null) {
      throw new IllegalArgumentException("liveShas: null (expected: the shas the registry still refers to)");
    }
    gcLock.writeLock().lock();
    try {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(codeRoot)) {
        for (Path dir : dirs) {
          String name = dir.getFileName().toString();
          if (Sha256.isValid(name) && !liveShas.contains(name)) {
            // Rename first so no reader ever sees a half-deleted package.
            Path doomed = tmp.resolve("gc-" + name + "-" + UUID.randomUUID());
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            FileTrees.deleteTree(doomed);
          }
        }
      }
      try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(zipRoot)) {
        for (Path prefix : prefixes) {
          try (DirectoryStream<Path> zips = Files.newDirectoryStream(prefix, "*.zip")) {
            for (Path zip : zips) {
              String name = zip.getFileName().toString();
              String sha = name.substring(0, name.length() - ".zip".length());
              if (Sha256.isValid(sha) && !liveShas.contains(sha)) {
                Files.deleteIfExists(zip);
              }
            }
          }
          deleteIfEmpty(prefix);
        }
      }
    } catch (IOException e) {
      throw new StoreException("artifact store " + root + ": collecting unused packages failed: " + e.getMessage(), e);
    } finally {
      gcLock.writeLock().unlock();
    }
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try {
      Files.delete(dir);
    } catch (DirectoryNotEmptyException e) {
      // still holds live zips
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // tmp/ is cleared on the next open
    }
  }

  /** Makes a rename or a new entry in {@code dir} durable (Linux honours fsync on a directory). */
  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open directories; the rename itself has still happened.
    }
  }

  @Override
  public String toString() {
    return "ArtifactStore[" + root + ", " + limits + "]";
  }
}
