package dev.pilotlight.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.gateway.auth.Credentials;
import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import dev.pilotlight.model.auth.Role;
import dev.pilotlight.store.SqlCredentialStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each function's own invoke key, the endpoint its instances call, and the key's life with the function. */
class FunctionKeysTest {
  @TempDir Path dir;

  static Deployment fn(String name) {
    return new Deployment(FunctionSpec.of(name, Runtime.NODE, "index.handler", null), 1, "a".repeat(64), 1, Path.of("/code"), Instant.EPOCH);
  }

  @Test
  void aDeployedFunctionGetsAnInvokeKeyAndTheEndpointAndLosesTheKeyWithTheFunction() {
    try (var store = SqlCredentialStore.open(dir.resolve("credentials.db"))) {
      Credentials credentials = new Credentials(store, InstantSource.system());
      List<Runnable> later = new ArrayList<>();
      FunctionKeys keys = new FunctionKeys(credentials, true, later::add);
      assertThat(keys.environment(fn("a"))).as("before the daemon listens").isEmpty();
      keys.endpoint(Wiring.instanceEndpoint("127.0.0.1", 8080, false));

      keys.ensure("a");
      Map<String, String> env = keys.environment(fn("a"));
      assertThat(env).containsEntry("AWS_ENDPOINT_URL", "http://127.0.0.1:8080").containsEntry("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:8080");
      var key = credentials.key(env.get("AWS_ACCESS_KEY_ID")).orElseThrow();
      assertThat(key.role()).isEqualTo(Role.INVOKE);
      assertThat(env).containsEntry("AWS_SECRET_ACCESS_KEY", key.secret()).containsEntry("AWS_ACCESS_KEY", key.id());
      assertThat(FunctionKeys.functionOf(key.description())).isEqualTo("a");
      keys.ensure("a");
      assertThat(keys.environment(fn("a"))).containsEntry("AWS_ACCESS_KEY_ID", key.id()); // one key per function

      // a daemon started later finds the key it issued
      FunctionKeys again = new FunctionKeys(credentials, true, later::add);
      again.endpoint("http://127.0.0.1:8080");
      assertThat(again.environment(fn("a"))).containsEntry("AWS_ACCESS_KEY_ID", key.id());

      keys.revoke("a");
      assertThat(credentials.key(key.id())).isEmpty();
      assertThat(later).isEmpty();
      // a function without a key (stored before keys existed, or revoked) gets the endpoint now, its key in the background
      assertThat(keys.environment(fn("a"))).doesNotContainKey("AWS_ACCESS_KEY_ID").containsKey("AWS_ENDPOINT_URL");
      assertThat(keys.environment(fn("a"))).doesNotContainKey("AWS_ACCESS_KEY_ID");
      assertThat(later).as("issued once, not at every start").hasSize(1);
      later.getFirst().run();
      assertThat(keys.environment(fn("a"))).containsKey("AWS_ACCESS_KEY_ID");
    }
  }

  @Test
  void withAuthOffInstancesGetPlaceholdersTheSdksCanSignWith() {
    try (var store = SqlCredentialStore.open(dir.resolve("credentials.db"))) {
      FunctionKeys keys = new FunctionKeys(new Credentials(store, InstantSource.system()), false, Runnable::run);
      keys.endpoint("http://127.0.0.1:9");
      keys.ensure("a");
      assertThat(keys.environment(fn("a"))).containsEntry("AWS_ACCESS_KEY_ID", "pilotlight-auth-off");
      assertThat(store.keys()).isEmpty();
    }
  }

  @Test
  void theEndpointIsTheListenAddressOrLoopback() {
    assertThat(Wiring.instanceEndpoint("0.0.0.0", 80, false)).isEqualTo("http://127.0.0.1:80");
    assertThat(Wiring.instanceEndpoint("10.0.0.5", 8443, true)).isEqualTo("https://10.0.0.5:8443");
    assertThat(Wiring.instanceEndpoint("::1", 8080, false)).isEqualTo("http://[::1]:8080");
    assertThat(Wiring.instanceEndpoint("::", 8080, false)).isEqualTo("http://127.0.0.1:8080");
    assertThat(Wiring.localHost("[::]")).isEqualTo("127.0.0.1"); // the daemon's own warm-up reaches its gateway the same way
    assertThat(Wiring.localHost("10.0.0.5")).isEqualTo("10.0.0.5");
  }
}
