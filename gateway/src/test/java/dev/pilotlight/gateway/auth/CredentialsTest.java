package dev.pilotlight.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.testing.ManualClock;
import dev.pilotlight.testing.MemoryCredentialStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CredentialsTest {
  final MemoryCredentialStore store = new MemoryCredentialStore();
  final Credentials credentials = new Credentials(store, new ManualClock(Instant.parse("2026-12-03T10:00:00Z")));

  @Test
  void anIssuedTokenWorksUntilRevokedAndOnlyItsHashIsStored() {
    Credentials.IssuedToken t = credentials.issueToken(Role.DEPLOY, "ci");
    assertThat(t.token()).startsWith("plt_").hasSizeGreaterThan(40);
    assertThat(credentials.tokenRole(t.token())).contains(Role.DEPLOY);
    assertThat(store.tokens()).singleElement().satisfies(s -> {
      assertThat(s.sha256()).isEqualTo(Credentials.sha256(t.token())).doesNotContain(t.token());
      assertThat(s.description()).isEqualTo("ci");
    });
    assertThat(credentials.tokenRole(t.token() + "x")).isEmpty();
    assertThat(credentials.tokenRole("not-a-token")).isEmpty();
    assertThat(credentials.tokenRole(null)).isEmpty();

    assertThat(credentials.revokeToken(t.stored().id())).isTrue();
    assertThat(credentials.tokenRole(t.token())).isEmpty();
    assertThat(credentials.revokeToken(t.stored().id())).isFalse();
  }

  @Test
  void tokensAndKeysSurviveARestartThroughTheStore() {
    Credentials.IssuedToken t = credentials.issueToken(Role.ADMIN, "");
    AccessKey k = credentials.issueKey(Role.INVOKE, "lambda");
    Credentials again = new Credentials(store, new ManualClock(Instant.EPOCH));
    assertThat(again.tokenRole(t.token())).contains(Role.ADMIN);
    assertThat(again.key(k.id())).contains(k);
  }

  @Test
  void accessKeysLookLikeAwsOnesAndStopAtRevocation() {
    AccessKey k = credentials.issueKey(Role.DEPLOY, "");
    assertThat(k.id()).matches("PLAK[A-Z2-7]{16}");
    assertThat(k.secret()).hasSize(40);
    assertThat(k.toString()).doesNotContain(k.secret());
    assertThat(credentials.key(k.id())).contains(k);
    assertThat(credentials.issueKey(Role.DEPLOY, "").id()).isNotEqualTo(k.id());
    assertThat(credentials.revokeKey(k.id())).isTrue();
    assertThat(credentials.key(k.id())).isEmpty();
    assertThat(credentials.key(null)).isEmpty();
  }
}
