package dev.pilotlight.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class BrowserGuardTest {
  final BrowserGuard guard = new BrowserGuard(Set.of("pilot.example.com"), Set.of("https://console.example.com"));

  @Test
  void clientsThatAreNotBrowsersPass() {
    assertThat(guard.refusal("127.0.0.1:8080", null, null)).isEmpty();
    assertThat(guard.refusal("localhost:8080", null, null)).isEmpty();
    assertThat(guard.refusal("[::1]:8080", null, null)).isEmpty();
    assertThat(guard.refusal("10.0.0.7", null, null)).isEmpty();
    assertThat(guard.refusal("Pilot.Example.COM:443", null, null)).isEmpty();
  }

  @Test
  void aForeignHostNameIsRefusedAsDnsRebinding() {
    assertThat(guard.refusal("attacker.example:8080", null, null)).get().asString().contains("attacker.example");
    assertThat(guard.refusal(null, null, null)).isPresent();
    assertThat(guard.refusal("", null, null)).isPresent();
  }

  @Test
  void aCrossOriginBrowserRequestIsRefused() {
    assertThat(guard.refusal("127.0.0.1:8080", "https://evil.example", null)).get().asString().contains("evil.example");
    assertThat(guard.refusal("127.0.0.1:8080", "null", null)).isPresent();
    assertThat(guard.refusal("127.0.0.1:8080", "http://127.0.0.1:9999", null)).as("another port is another origin").isPresent();
    assertThat(guard.refusal("127.0.0.1:8080", null, "cross-site")).isPresent();
  }

  @Test
  void theDaemonsOwnAndConfiguredOriginsPass() {
    assertThat(guard.refusal("127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin")).isEmpty();
    assertThat(guard.refusal("localhost", "http://localhost:80", null)).isEmpty();
    assertThat(guard.refusal("127.0.0.1:8080", "https://console.example.com", null)).isEmpty();
    assertThat(guard.refusal("127.0.0.1:8080", "HTTPS://CONSOLE.EXAMPLE.COM:443", null)).isEmpty();
  }
}
