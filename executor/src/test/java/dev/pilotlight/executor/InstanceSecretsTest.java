package dev.pilotlight.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.FunctionSpec;
import dev.pilotlight.model.Runtime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a starting instance gets of its secrets, where its files go and when they are removed; no process is started. */
class InstanceSecretsTest {
  @TempDir
  Path tmp;

  private final Map<String, byte[]> store = new HashMap<>();
  private final List<String> reads = new java.util.ArrayList<>();

  private InstanceSecrets secrets() {
    return new InstanceSecrets(name -> {
      reads.add(name);
      return Optional.ofNullable(store.get(name)).map(byte[]::clone);
    }, tmp.resolve("data/secrets"));
  }

  private Deployment deployment(Map<String, String> vars, Map<String, String> files) {
    FunctionSpec spec = FunctionSpec.builder().name("f").runtime(Runtime.PYTHON).handler("app.handler").secrets(vars).secretFiles(files).build();
    return new Deployment(spec, 1, "0".repeat(64), 1, tmp.resolve("code"), Instant.EPOCH);
  }

  @Test
  void aFunctionWithoutSecretsReadsNothing() throws IOException {
    assertThat(secrets().provide(deployment(Map.of(), Map.of()), "f-1", Sandbox.Box.NONE)).isSameAs(InstanceSecrets.Provided.NOTHING);
    assertThat(reads).isEmpty();
  }

  @Test
  void variablesAndFilesGetTheCurrentValuesAndTheFilesGoWithTheInstance() throws IOException {
    store.put("db-password", "hunter2".getBytes(StandardCharsets.UTF_8));
    store.put("tls-key", new byte[] {0, 1, 2, 3});
    Deployment d = deployment(Map.of("DB_PASSWORD", "db-password"), Map.of("tls.key", "tls-key", "password", "db-password"));
    InstanceSecrets.Provided p = secrets().provide(d, "f-1", Sandbox.Box.NONE);
    Path dir = tmp.resolve("data/secrets/f-1");
    assertThat(p.env()).containsEntry("DB_PASSWORD", "hunter2").containsEntry("PILOTLIGHT_SECRETS_DIR", dir.toString());
    assertThat(Files.readAllBytes(dir.resolve("tls.key"))).containsExactly(0, 1, 2, 3);
    assertThat(Files.readString(dir.resolve("password"))).isEqualTo("hunter2");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key")))).isEqualTo("r--------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    p.cleanUp().run();
    assertThat(dir).doesNotExist();

    store.put("db-password", "rotated".getBytes(StandardCharsets.UTF_8));
    assertThat(secrets().provide(d, "f-2", Sandbox.Box.NONE).env()).containsEntry("DB_PASSWORD", "rotated");
  }

  @Test
  void aMissingSecretFailsTheStartNamingItAndLeavesNoFiles() {
    store.put("present", "x".getBytes(StandardCharsets.UTF_8));
    Deployment d = deployment(Map.of(), Map.of("a", "present", "b", "gone"));
    assertThatThrownBy(() -> secrets().provide(d, "f-1", Sandbox.Box.NONE)).isInstanceOf(IOException.class)
        .hasMessageContaining("secret 'gone' (file b) does not exist");
    assertThat(tmp.resolve("data/secrets/f-1")).doesNotExist();
  }

  @Test
  void aStoreThatCannotReadAValueFailsTheStartWithItsReason() {
    InstanceSecrets broken = new InstanceSecrets(name -> {
      throw new IllegalStateException("the secrets key file is missing");
    }, tmp.resolve("data/secrets"));
    assertThatThrownBy(() -> broken.provide(deployment(Map.of("A", "a"), Map.of()), "f-1", Sandbox.Box.NONE))
        .isInstanceOf(IOException.class).hasMessage("secret 'a' (variable A) cannot be read: the secrets key file is missing");
  }

  @Test
  void aValueThatIsNoTextCannotBeAVariable() {
    store.put("blob", new byte[] {(byte) 0xff, (byte) 0xfe});
    store.put("nul", new byte[] {'a', 0, 'b'});
    assertThatThrownBy(() -> secrets().provide(deployment(Map.of("A", "blob"), Map.of()), "f-1", Sandbox.Box.NONE))
        .hasMessageContaining("secret 'blob' cannot be variable A").hasMessageContaining("give it as a file");
    assertThatThrownBy(() -> secrets().provide(deployment(Map.of("A", "nul"), Map.of()), "f-1", Sandbox.Box.NONE))
        .hasMessageContaining("secret 'nul' cannot be variable A");
  }

  @Test
  void inASandboxTheFilesAreTheBoxsOwnAndTheInstanceSeesRunSecrets() throws IOException {
    store.put("tls-key", "k".getBytes(StandardCharsets.UTF_8));
    Path data = Files.createDirectories(tmp.resolve("data"));
    Sandbox s = Sandbox.of(Path.of("/usr/bin/bwrap"), Path.of("/usr/bin/setpriv"), null, "off for the test",
        Files.createDirectories(data.resolve("sandbox")), List.of(data), List.of(), 300_000);
    try (Sandbox.Box box = s.open(512)) {
      InstanceSecrets.Provided p = secrets().provide(deployment(Map.of(), Map.of("tls.key", "tls-key")), "f-1", box);
      assertThat(p.env()).containsEntry("PILOTLIGHT_SECRETS_DIR", "/run/secrets");
      Path file = box.secretsDir().resolve("tls.key");
      assertThat(Files.readString(file)).isEqualTo("k");
      assertThat(Files.getAttribute(file, "unix:uid")).isEqualTo(300_000);
      assertThat(String.join(" ", box.wrap(List.of("/bin/true"), null, List.of(), Cgroups.Group.NONE))).contains("/run/secrets");
      assertThat(tmp.resolve("data/secrets")).doesNotExist();
    }
  }
}
