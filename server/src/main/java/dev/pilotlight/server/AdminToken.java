package dev.pilotlight.server;

import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.model.auth.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The admin token in the data dir ({@value #FILE}, mode 0600), which the CLI on the same machine
 * reads so that a new user needs no flags. At every start the file must hold a valid admin token:
 * when it is missing, unknown or revoked a new one is issued and written (whoever can read the data
 * dir owns the daemon anyway). Rotating it: {@code pilotlight tokens revoke ID}, then delete the
 * file and restart, or issue another admin token and revoke this one. With {@value #ENV} set, that
 * token is the admin token instead (the file then holds it too).
 */
final class AdminToken {
  static final String FILE = "admin.token";
  /** An admin token the operator gives (every node of a cluster the same one). */
  static final String ENV = "PILOTLIGHT_ADMIN_TOKEN";
  private static final System.Logger LOG = System.getLogger(AdminToken.class.getName());

  private AdminToken() {}

  static void ensure(Path file, Credentials credentials) {
    ensure(file, credentials, System.getenv(ENV));
  }

  /**
   * As {@link #ensure(Path, Credentials)}; with {@code given} (from {@value #ENV}, e.g. a Kubernetes
   * Secret every node of a cluster reads), that token is the admin token: stored (its hash) when it
   * is not known yet, and written to the file for the CLI beside the daemon.
   */
  static void ensure(Path file, Credentials credentials, String given) {
    if (given != null && !given.isBlank()) {
      String token = given.strip();
      try {
        credentials.adoptToken(token, Role.ADMIN, "admin token from " + ENV);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(ENV + ": " + e.getMessage(), e);
      }
      try {
        write(file, token);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the admin token " + file, e);
      }
      return;
    }
    try {
      if (Files.isRegularFile(file)) {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (credentials.tokenRole(token).filter(r -> r == Role.ADMIN).isPresent()) {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
          return;
        }
        LOG.log(System.Logger.Level.WARNING, "auth: " + file + " holds no valid admin token; issuing a new one");
      }
      Credentials.IssuedToken issued = credentials.issueToken(Role.ADMIN, "admin token of " + file);
      write(file, issued.token());
      LOG.log(System.Logger.Level.INFO, "auth: wrote a new admin token (" + issued.stored().id() + ") to " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token " + file, e);
    }
  }

  private static void write(Path file, String token) throws IOException {
    Path tmp = file.resolveSibling(FILE + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
