package dev.pilotlight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.FunctionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageBuilderTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir
  Path tmp;

  private Path dir(String name, Map<String, String> files) throws IOException {
    Path dir = tmp.resolve(name);
    for (var f : files.entrySet()) {
      Path file = dir.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, f.getValue());
    }
    Files.createDirectories(dir);
    return dir;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> manifestOf(Map<String, String> entries) throws IOException {
    return YAML.readValue(entries.get("pilotlight.yaml"), Map.class);
  }

  private static ManifestOverrides flags(String name, Integer memory, String timeout, Map<String, String> env) {
    return ManifestOverrides.builder().name(name).set(FunctionSettings.MEMORY, memory).set(FunctionSettings.TIMEOUT, timeout).env(env)
        .build();
  }

  @Test
  void directoryWithManifest_copiesFilesRecursivelyAndWritesTheMergedManifestAtTheRoot() throws IOException {
    Path dir = dir("hello", Map.of(
        "pilotlight.yaml", "name: greeter\nruntime: java\nhandler: example.Hello::handleRequest\nmemory: 256\n",
        "lib/a.jar", "A",
        "classes/example/Hello.class", "H",
        "sub/pilotlight.yaml", "not the manifest"));

    try (BuiltPackage pkg = PackageBuilder.build(dir, ManifestOverrides.none())) {
      Map<String, String> entries = Zips.read(pkg.zip());
      assertThat(entries.keySet()).containsExactly(
          "pilotlight.yaml", "classes/example/Hello.class", "lib/a.jar", "sub/pilotlight.yaml");
      assertThat(entries.get("lib/a.jar")).isEqualTo("A");
      assertThat(manifestOf(entries)).containsEntry("name", "greeter").containsEntry("runtime", "java")
          .containsEntry("handler", "example.Hello::handleRequest").containsEntry("memory", 256);
      assertThat(pkg.name()).isEqualTo("greeter");
      assertThat(pkg.size()).isEqualTo(Files.size(pkg.zip()));
    }
  }

  @Test
  void flagsReplaceManifestKeysAndEnvIsMergedKeyByKey() throws IOException {
    Path dir = dir("app", Map.of("pilotlight.yaml",
        "runtime: http\ncommand: ./run\nmemory: 256\ntimeout: 10s\nenv:\n  A: one\n  B: two\n"));
    ManifestOverrides flags = ManifestOverrides.builder().name("renamed").set(FunctionSettings.RUNTIME, "java")
        .set(FunctionSettings.HANDLER, "x.Y::z").set(FunctionSettings.MEMORY, 512).set(FunctionSettings.TIMEOUT, "45s")
        .set(FunctionSettings.CONCURRENCY, 4).set(FunctionSettings.MIN_INSTANCES, 1).set(FunctionSettings.MAX_INSTANCES, 3)
        .set(FunctionSettings.IDLE_TIMEOUT, "2m").env(Map.of("B", "changed", "C", "new")).build();

    try (BuiltPackage pkg = PackageBuilder.build(dir, flags)) {
      Map<String, Object> m = manifestOf(Zips.read(pkg.zip()));
      assertThat(m).containsEntry("name", "renamed").containsEntry("runtime", "java")
          .containsEntry("handler", "x.Y::z").containsEntry("command", "./run").containsEntry("memory", 512)
          .containsEntry("timeout", "45s").containsEntry("concurrency", 4).containsEntry("minInstances", 1)
          .containsEntry("maxInstances", 3).containsEntry("idleTimeout", "2m");
      assertThat(m.get("env")).isEqualTo(Map.of("A", "one", "B", "changed", "C", "new"));
      assertThat(pkg.name()).isEqualTo("renamed");
    }
  }

  @Test
  void withoutManifestOrFlag_theNameComesFromTheDirectory() throws IOException {
    Path dir = dir("My_App.v2", Map.of("index.js", "x"));

    try (BuiltPackage pkg = PackageBuilder.build(dir, flags(null, 128, null, Map.of()))) {
      assertThat(pkg.name()).isEqualTo("my-app-v2");
      Map<String, String> entries = Zips.read(pkg.zip());
      assertThat(entries.keySet()).containsExactly("pilotlight.yaml", "index.js");
      assertThat(manifestOf(entries)).containsExactly(Map.entry("name", "my-app-v2"), Map.entry("memory", 128));
    }
  }

  @Test
  void derivedNames() {
    assertThat(PackageBuilder.derivedName(tmp.resolve("hello-java-1.0.jar"))).isEqualTo("hello-java-1-0");
    assertThat(PackageBuilder.derivedName(tmp.resolve("__Weird Name__.zip"))).isEqualTo("weird-name");
    assertThat(PackageBuilder.derivedName(tmp.resolve("___.zip"))).isNull();
    assertThat(PackageBuilder.derivedName(tmp.resolve("x".repeat(80) + ".zip"))).hasSize(63);
  }

  @Test
  void packageKey_uploadsThatDirectoryInsteadAndIsDroppedFromTheManifest() throws IOException {
    Path dir = dir("hello-java", Map.of(
        "pilotlight.yaml", "runtime: java\nhandler: example.Hello\npackage: target/package\n",
        "src/Hello.java", "source, not uploaded",
        "target/package/lib/hello.jar", "J",
        "target/package/pilotlight.yaml", "ignored: true"));

    try (BuiltPackage pkg = PackageBuilder.build(dir, ManifestOverrides.none())) {
      Map<String, String> entries = Zips.read(pkg.zip());
      assertThat(entries.keySet()).containsExactly("pilotlight.yaml", "lib/hello.jar");
      assertThat(manifestOf(entries)).containsOnlyKeys("name", "runtime", "handler").containsEntry("name", "hello-java");
    }
  }

  @Test
  void packageKey_canNameAJar() throws IOException {
    Path dir = dir("svc", Map.of("pilotlight.yaml", "runtime: java\nhandler: a.B\npackage: build/svc-all.jar\n",
        "build/svc-all.jar", "JAR"));

    try (BuiltPackage pkg = PackageBuilder.build(dir, ManifestOverrides.none())) {
      assertThat(Zips.read(pkg.zip())).containsEntry("svc-all.jar", "JAR").hasSize(2);
      assertThat(pkg.name()).isEqualTo("svc");
    }
  }

  @Test
  void packageKey_thatDoesNotExistSaysToBuildFirst() throws IOException {
    Path dir = dir("hello-java", Map.of("pilotlight.yaml", "runtime: java\nhandler: a.B\npackage: target/package\n"));

    assertThatThrownBy(() -> PackageBuilder.build(dir, ManifestOverrides.none()))
        .isInstanceOf(CliFailure.Usage.class)
        .hasMessage(dir.resolve("target/package") + " does not exist — build it first (e.g. with ./mvnw package)");
  }

  @Test
  void jar_goesInAsOneFileAtTheRoot() throws IOException {
    Path jar = Zips.write(tmp.resolve("Hello-1.0.jar"), Map.of("example/Hello.class", "H"));
    ManifestOverrides flags = ManifestOverrides.builder().set(FunctionSettings.RUNTIME, "java").set(FunctionSettings.HANDLER, "example.Hello")
        .env(Map.of("K", "V")).build();

    try (BuiltPackage pkg = PackageBuilder.build(jar, flags)) {
      Map<String, String> entries = Zips.read(pkg.zip());
      assertThat(entries.keySet()).containsExactly("pilotlight.yaml", "Hello-1.0.jar");
      assertThat(manifestOf(entries)).containsEntry("name", "hello-1-0").containsEntry("runtime", "java")
          .containsEntry("env", Map.of("K", "V"));
    }
  }

  @Test
  void zip_entriesAreCopiedAndItsRootManifestIsMergedNotCopied() throws IOException {
    Map<String, String> content = new LinkedHashMap<>();
    content.put("pilotlight.yaml", "name: from-zip\nruntime: http\ncommand: python3 app.py\nenv: {A: '1'}\n");
    content.put("app.py", "print()");
    content.put("static/", "");
    content.put("static/index.html", "<html>");
    Path zip = Zips.write(tmp.resolve("bundle.zip"), content);

    Map<String, String> env = Map.of("B", "2", "C", "true", "D", "null", "E", "", "F", "a: b # c");
    try (BuiltPackage pkg = PackageBuilder.build(zip, flags(null, null, "5s", env))) {
      Map<String, String> entries = Zips.read(pkg.zip());
      assertThat(entries.keySet()).containsExactly("pilotlight.yaml", "app.py", "static/", "static/index.html");
      assertThat(manifestOf(entries)).containsEntry("name", "from-zip").containsEntry("command", "python3 app.py")
          .containsEntry("timeout", "5s")
          .containsEntry("env", Map.of("A", "1", "B", "2", "C", "true", "D", "null", "E", "", "F", "a: b # c"));
    }
  }

  @Test
  void sameInputGivesTheSameBytes() throws IOException {
    Path dir = dir("same", Map.of("a.txt", "a", "b/c.txt", "c"));
    byte[] first;
    try (BuiltPackage pkg = PackageBuilder.build(dir, ManifestOverrides.none())) {
      first = Files.readAllBytes(pkg.zip());
    }
    try (BuiltPackage pkg = PackageBuilder.build(dir, ManifestOverrides.none())) {
      assertThat(Files.readAllBytes(pkg.zip())).isEqualTo(first);
    }
  }

  @Test
  void closingThePackageDeletesTheTemporaryZip() throws IOException {
    Path dir = dir("tidy", Map.of("a.txt", "a"));
    BuiltPackage pkg = PackageBuilder.build(dir, ManifestOverrides.none());
    pkg.close();
    assertThat(pkg.zip()).doesNotExist();
  }

  @Test
  void badInputsFailClearly() throws IOException {
    assertThatThrownBy(() -> PackageBuilder.build(tmp.resolve("nope"), ManifestOverrides.none()))
        .isInstanceOf(CliFailure.Usage.class).hasMessageContaining("nope does not exist");

    Path txt = Files.writeString(tmp.resolve("notes.txt"), "x");
    assertThatThrownBy(() -> PackageBuilder.build(txt, ManifestOverrides.none()))
        .isInstanceOf(CliFailure.Usage.class).hasMessageContaining("neither a directory, a .jar nor a .zip");

    Path fakeZip = Files.writeString(tmp.resolve("fake.zip"), "not a zip");
    assertThatThrownBy(() -> PackageBuilder.build(fakeZip, ManifestOverrides.none()))
        .isInstanceOf(CliFailure.Failed.class).hasMessageContaining("is not a readable zip file");

    Path badYaml = dir("bad-yaml", Map.of("pilotlight.yaml", "name: [unclosed\n"));
    assertThatThrownBy(() -> PackageBuilder.build(badYaml, ManifestOverrides.none()))
        .isInstanceOf(CliFailure.Failed.class).hasMessageContaining("is not valid YAML");

    Path list = dir("list-yaml", Map.of("pilotlight.yaml", "- a\n- b\n"));
    assertThatThrownBy(() -> PackageBuilder.build(list, ManifestOverrides.none()))
        .isInstanceOf(CliFailure.Failed.class).hasMessageContaining("must be a map of settings");

    Path badEnv = dir("bad-env", Map.of("pilotlight.yaml", "env: [A]\n"));
    assertThatThrownBy(() -> PackageBuilder.build(badEnv, flags(null, null, null, Map.of("B", "1"))))
        .isInstanceOf(CliFailure.Failed.class).hasMessageContaining("env must be a map");

    Path ok = dir("fine", Map.of("a.txt", "a"));
    assertThatThrownBy(() -> PackageBuilder.build(ok, flags("Bad_Name", null, null, Map.of())))
        .isInstanceOf(Failure.InvalidInput.class).hasMessageContaining("name: 'Bad_Name' is not a valid function name");
  }
}
