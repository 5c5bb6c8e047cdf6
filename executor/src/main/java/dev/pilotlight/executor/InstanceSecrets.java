package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Secrets;
import dev.pilotlight.model.io.FileTrees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Gives a starting instance its function's secrets: the {@code secrets} as environment variables
 * (handed to the process at its start, or to a pool runner on its stdin; never written to a file),
 * the {@code secretFiles} as files, each mode 0400 and owned by the instance's uid, in a directory
 * private to the instance: its sandbox's {@code secrets} directory, shown read-only at
 * {@value Secrets#SANDBOX_DIR} and removed with the box, or without a sandbox
 * {@code <unboxed>/<instance id>} (0700), removed when the instance ends. Values are read from the
 * store at each start, so a start after a secret was set again gets the new value.
 */
final class InstanceSecrets {
  private final SecretValues values;
  private final Path unboxed;

  /** @param unboxed where instances without a sandbox get their secret files, a directory of their own each */
  InstanceSecrets(SecretValues values, Path unboxed) {
    this.values = values;
    this.unboxed = unboxed;
  }

  /** No secrets: a function that asks for one fails to start, naming it. */
  static InstanceSecrets none() {
    return new InstanceSecrets(SecretValues.NONE, Path.of(System.getProperty("java.io.tmpdir"), "pilotlight-secrets"));
  }

  /** What an instance got: variables to add to its environment, and what removes its files when it ends (nothing in a sandbox). */
  record Provided(Map<String, String> env, Runnable cleanUp) {
    static final Provided NOTHING = new Provided(Map.of(), () -> {});
  }

  /**
   * Reads {@code d}'s secrets and places its files for instance {@code id} in {@code box}; call
   * before the instance's command is wrapped (the sandbox's binding of the directory is decided
   * then). Nothing is left behind when it fails.
   *
   * @throws IOException naming the secret, when one does not exist or cannot be read, or a value
   *     meant for a variable is not text
   */
  Provided provide(Deployment d, String id, Sandbox.Box box) throws IOException {
    FunctionSpec spec = d.spec();
    if (!spec.usesSecrets()) {
      return Provided.NOTHING;
    }
    Map<String, String> env = new HashMap<>();
    for (var e : spec.secrets().entrySet()) {
      byte[] value = read(e.getValue(), "variable " + e.getKey());
      try {
        env.put(e.getKey(), text(e.getValue(), e.getKey(), value));
      } finally {
        Arrays.fill(value, (byte) 0);
      }
    }
    if (spec.secretFiles().isEmpty()) {
      return new Provided(env, () -> {});
    }
    Path dir;
    Runnable cleanUp;
    if (box.isNone()) {
      Files.createDirectories(unboxed, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      dir = unboxed.resolve(id);
      FileTrees.deleteTreeQuietly(dir);
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path made = dir;
      cleanUp = () -> FileTrees.deleteTreeQuietly(made);
      env.put(Secrets.DIR_VARIABLE, dir.toString());
    } else {
      dir = box.secretsDir();
      cleanUp = () -> {}; // the box's directory goes with the box
      env.put(Secrets.DIR_VARIABLE, Secrets.SANDBOX_DIR);
    }
    try {
      for (var e : spec.secretFiles().entrySet()) {
        byte[] value = read(e.getValue(), "file " + e.getKey());
        try {
          write(dir.resolve(e.getKey()), value, box.uid());
        } finally {
          Arrays.fill(value, (byte) 0);
        }
      }
    } catch (IOException | RuntimeException e) {
      cleanUp.run();
      clear(dir);
      throw e;
    }
    return new Provided(env, cleanUp);
  }

  private byte[] read(String secret, String what) throws IOException {
    Optional<byte[]> v;
    try {
      v = values.value(secret);
    } catch (RuntimeException e) {
      throw new IOException("secret '" + secret + "' (" + what + ") cannot be read: " + e.getMessage(), e);
    }
    return v.orElseThrow(() -> new IOException("secret '" + secret + "' (" + what + ") does not exist: it was removed after the "
        + "function was deployed (pilotlight secrets set " + secret + " makes it again)"));
  }

  /** A value for a variable: UTF-8 text without NUL, which no environment can hold. */
  private static String text(String secret, String variable, byte[] value) throws IOException {
    try {
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
      if (s.indexOf('\0') >= 0) {
        throw new CharacterCodingException();
      }
      return s;
    } catch (CharacterCodingException e) {
      throw new IOException("secret '" + secret + "' cannot be variable " + variable + ": its value is not UTF-8 text without NUL "
          + "(give it as a file: secretFiles)");
    }
  }

  /** Writes {@code file} readable by {@code uid} alone (-1: the daemon's user), synced: nothing partial is read. */
  private static void write(Path file, byte[] value, int uid) throws IOException {
    try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")))) {
      ByteBuffer b = ByteBuffer.wrap(value);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
    if (uid >= 0) {
      Files.setAttribute(file, "unix:uid", uid);
      Files.setAttribute(file, "unix:gid", uid);
    }
  }

  /** Removes the files written so far into a sandbox's directory (the directory itself stays bound). */
  private static void clear(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(f -> {
        try {
          Files.deleteIfExists(f);
        } catch (IOException ignored) {
          // removed with the box
        }
      });
    } catch (IOException ignored) {
      // gone already
    }
  }
}
