package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.testing.ManualClock;
import dev.pilotlight.testing.MemoryCredentialStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
  @TempDir
  Path dir;

  final Credentials credentials = new Credentials(new MemoryCredentialStore(), new ManualClock());

  @Test
  void theFirstStartWritesAnOwnerOnlyAdminTokenAndLaterStartsKeepIt() throws Exception {
    Path file = dir.resolve(AdminToken.FILE);
    AdminToken.ensure(file, credentials);
    String token = Files.readString(file).strip();
    assertThat(credentials.tokenRole(token)).contains(Role.ADMIN);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    AdminToken.ensure(file, credentials);
    assertThat(Files.readString(file).strip()).isEqualTo(token);
    assertThat(credentials.tokens()).hasSize(1);
  }

  @Test
  void aRevokedOrForeignTokenInTheFileIsReplaced() throws Exception {
    Path file = dir.resolve(AdminToken.FILE);
    AdminToken.ensure(file, credentials);
    String first = Files.readString(file).strip();
    credentials.revokeToken(credentials.tokens().getFirst().id());
    AdminToken.ensure(file, credentials);
    String second = Files.readString(file).strip();
    assertThat(second).isNotEqualTo(first);
    assertThat(credentials.tokenRole(second)).contains(Role.ADMIN);

    String deploy = credentials.issueToken(Role.DEPLOY, "").token();
    Files.writeString(file, deploy);
    AdminToken.ensure(file, credentials);
    assertThat(credentials.tokenRole(Files.readString(file).strip())).contains(Role.ADMIN);
  }

  @Test
  void aGivenTokenIsTheAdminTokenOnEveryNodeAndStoredOnce() throws Exception {
    String given = "plt_" + "A".repeat(43);
    Path file = dir.resolve(AdminToken.FILE);
    AdminToken.ensure(file, credentials, given + "\n");
    AdminToken.ensure(dir.resolve("other-" + AdminToken.FILE), credentials, given); // a second node, the same store
    assertThat(credentials.tokenRole(given)).contains(Role.ADMIN);
    assertThat(credentials.tokens()).singleElement().satisfies(t -> assertThat(t.description()).contains(AdminToken.ENV));
    assertThat(Files.readString(file).strip()).isEqualTo(given);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aGivenTokenThatIsNoTokenOrHasAnotherRoleIsRefusedNamingTheVariable() {
    assertThatThrownBy(() -> AdminToken.ensure(dir.resolve(AdminToken.FILE), credentials, "secret"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(AdminToken.ENV + ": ").hasMessageContaining("plt_");
    String deploy = credentials.issueToken(Role.DEPLOY, "").token();
    assertThatThrownBy(() -> AdminToken.ensure(dir.resolve(AdminToken.FILE), credentials, deploy))
        .hasMessageContaining("with the role DEPLOY");
  }
}
