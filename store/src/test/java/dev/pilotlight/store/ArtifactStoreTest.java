package dev.pilotlight.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pilotlight.model.Failure;
import dev.pilotlight.testing.Zips;
import dev.pilotlight.testing.Zips.Entry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArtifactStoreTest {
  private static final long MB = 1024 * 1024;
  /** Small limits so the limit tests stay fast; the defaults are tested separately. */
  private static final PackageLimits SMALL = new PackageLimits(2 * MB, 3 * MB, 50);

  @TempDir Path tmp;
  Path root;
  ArtifactStore store;

  @BeforeEach
  void open() {
    root = tmp.resolve("artifacts");
    store = ArtifactStore.open(root, SMALL);
  }

  private StoredPackage store(byte[] zip) {
    return store.store(new ByteArrayInputStream(zip));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void storesUnpacksAndNamesByTheSha256OfTheZip() throws Exception {
    byte[] zip = Zips.ofText("pilotlight.yaml", "runtime: java\n", "lib/a.txt", "alpha", "lib/deep/b.txt", "beta");
    StoredPackage p = store(zip);

    assertThat(p.sha256()).isEqualTo(sha256(zip));
    assertThat(p.size()).isEqualTo(zip.length);
    assertThat(p.dir()).isEqualTo(root.resolve("code").resolve(p.sha256())).isEqualTo(store.codeDir(p.sha256()));
    assertThat(p.dir().resolve("lib/deep/b.txt")).hasContent("beta");
    assertThat(p.dir().resolve("pilotlight.yaml")).hasContent("runtime: java\n");
    Path kept = root.resolve("sha256").resolve(p.sha256().substring(0, 2)).resolve(p.sha256() + ".zip");
    assertThat(kept).hasBinaryContent(zip);
    assertNothingInProgress();
  }

  @Test
  void storingTheSameBytesAgainReusesTheDirectoryUntouched() throws Exception {
    byte[] zip = Zips.ofText("a.txt", "same");
    StoredPackage first = store(zip);
    Files.writeString(first.dir().resolve("marker"), "still here"); // would vanish if re-unpacked
    StoredPackage second = store(zip);

    assertThat(second).isEqualTo(first);
    assertThat(first.dir().resolve("marker")).hasContent("still here");
    assertNothingInProgress();
  }

  @Test
  void directoryEntriesAndWindowsSeparatorsUnpackAsDirectories() {
    var files = new LinkedHashMap<String, byte[]>();
    files.put("empty/", new byte[0]);
    files.put("win\\style\\file.txt", "w".getBytes(StandardCharsets.UTF_8));
    files.put("a/../b.txt", "b".getBytes(StandardCharsets.UTF_8)); // normalises inside the package: fine
    StoredPackage p = store(Zips.of(files));

    assertThat(p.dir().resolve("empty")).isEmptyDirectory();
    assertThat(p.dir().resolve("win/style/file.txt")).hasContent("w");
    assertThat(p.dir().resolve("b.txt")).hasContent("b");
  }

  @Test
  void recordedUnixModesKeepTheExecutableBit() {
    StoredPackage p = store(Zips.withUnixModes(List.of(
        Entry.file("bootstrap", "#!/bin/sh\n", 0755),
        Entry.file("bin/tool", "binary", 0750),
        Entry.file("data.txt", "data", 0644),
        Entry.file("script.sh", "echo", 0644)))); // a recorded mode is believed, even for .sh

    assertThat(p.dir().resolve("bootstrap")).isExecutable();
    assertThat(p.dir().resolve("bin/tool")).isExecutable();
    assertThat(permissions(p.dir().resolve("data.txt"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
    assertThat(permissions(p.dir().resolve("script.sh"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void withoutRecordedModesBootstrapAndShellScriptsAreExecutable() {
    StoredPackage p = store(Zips.ofText("bootstrap", "#!/bin/sh\n", "run.sh", "echo", "app.jar", "jar"));

    assertThat(p.dir().resolve("bootstrap")).isExecutable();
    assertThat(p.dir().resolve("run.sh")).isExecutable();
    assertThat(permissions(p.dir().resolve("app.jar"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void withoutRecordedModesExternalExtensionsAreExecutable() {
    StoredPackage p = store(Zips.ofText("opt/extensions/recorder", "#!/bin/sh\n", "opt/extensions/lib/helper", "x", "opt/notes", "y"));

    assertThat(p.dir().resolve("opt/extensions/recorder")).isExecutable();
    assertThat(permissions(p.dir().resolve("opt/extensions/lib/helper"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
    assertThat(permissions(p.dir().resolve("opt/notes"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void bootstrapIsExecutableEvenWhenTheZipSaysOtherwise() {
    StoredPackage p = store(Zips.withUnixModes(List.of(Entry.file("bootstrap", "#!/bin/sh\n", 0644))));
    assertThat(p.dir().resolve("bootstrap")).isExecutable();
  }

  static Stream<Arguments> hostile() {
    return Stream.of(
        Arguments.of("zip-slip ../", Zips.slip("../evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("zip-slip nested ../", Zips.slip("a/../../evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("absolute path", Zips.slip("/tmp/evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("drive letter", Zips.slip("C:\\evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("drive letter, relative", Zips.slip("c:evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("backslash escape", Zips.slip("a\\..\\..\\evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("backslash absolute", Zips.slip("\\evil.txt"), Failure.InvalidInput.class, "points outside"),
        Arguments.of("symlink", Zips.withUnixModes(List.of(Entry.file("ok.txt", "ok", 0644),
            Entry.symlink("link", "/etc/passwd"))), Failure.InvalidInput.class, "symbolic link"),
        Arguments.of("not a zip", Zips.notAZip(), Failure.InvalidInput.class, "not a valid zip"),
        Arguments.of("empty upload", new byte[0], Failure.InvalidInput.class, "not a valid zip"),
        Arguments.of("a zip with no entries", Zips.of(Map.of()), Failure.InvalidInput.class, "package holds no files: nothing to run"),
        Arguments.of("a zip of directories alone", Zips.ofText("lib/", ""), Failure.InvalidInput.class, "no files (only directories)"),
        Arguments.of("truncated zip", Zips.truncated(Zips.ofText("a.txt", "x".repeat(10_000), "b.txt", "y")),
            Failure.InvalidInput.class, "not a valid zip"),
        Arguments.of("zip bomb (ratio)", Zips.bomb(2), Failure.InvalidInput.class, "looks like a zip bomb"),
        Arguments.of("too many entries", Zips.manyEntries(51), Failure.InvalidInput.class, "more than 50 entries; it looks like a zip bomb"),
        Arguments.of("unpacked too large", Zips.of(Map.of("one.txt", halfCompressible((int) (1.6 * MB), 1),
            "two.txt", halfCompressible((int) (1.6 * MB), 2))), Failure.PayloadTooLarge.class,
            "package unpacks to more than the 3 MB limit (unpacked)"),
        Arguments.of("zipped too large", Zips.of(Map.of("big.bin", Zips.incompressible((int) (2.5 * MB), 3))),
            Failure.PayloadTooLarge.class, "package is larger than the 2 MB limit (zipped)"),
        Arguments.of("duplicate entries", duplicateEntries(), Failure.InvalidInput.class, "clashes with another entry"),
        Arguments.of("file and directory clash", Zips.ofText("a", "file", "a/b", "under a file"),
            Failure.InvalidInput.class, "clashes with another entry"),
        Arguments.of("damaged data", damagedData(), Failure.InvalidInput.class, "is damaged"),
        Arguments.of("a name over 255 bytes", Zips.ofText("ok.txt", "ok", "a".repeat(256), "x"), Failure.InvalidInput.class,
            "has a file or directory name longer than 255 bytes"),
        Arguments.of("a path past the system's limit", Zips.ofText("ok.txt", "ok", ("d".repeat(250) + "/").repeat(20) + "f", "x"),
            Failure.InvalidInput.class, "has a path too long for the file system"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostile")
  void hostilePackagesAreRefusedAndLeaveNothingBehind(String what, byte[] zip, Class<? extends Failure> failure,
      String message) throws Exception {
    StoredPackage existing = store(Zips.ofText("keep.txt", "precious"));

    assertThatThrownBy(() -> store(zip)).isInstanceOf(failure).hasMessageContaining(message);

    assertNothingInProgress();
    try (Stream<Path> code = Files.list(root.resolve("code"))) {
      assertThat(code).containsExactly(existing.dir());
    }
    try (Stream<Path> zips = Files.walk(root.resolve("sha256"))) {
      assertThat(zips.filter(Files::isRegularFile)).hasSize(1);
    }
    assertThat(existing.dir().resolve("keep.txt")).hasContent("precious");
    try (Stream<Path> anywhere = Files.walk(tmp)) {
      assertThat(anywhere.filter(f -> f.getFileName().toString().contains("evil"))).isEmpty();
    }
  }

  @Test
  void aHostileZipWithTheShaOfNothingStoredCannotTouchExistingCode() throws Exception {
    // Same entry names as an existing package, but hostile: the existing directory must be intact.
    StoredPackage good = store(Zips.ofText("ok.txt", "good"));
    assertThatThrownBy(() -> store(Zips.slip())).isInstanceOf(Failure.InvalidInput.class);
    assertThat(good.dir().resolve("ok.txt")).hasContent("good");
  }

  @Test
  void uploadStopsBeingReadJustPastTheLimit() {
    var endless = new CountingZeros();
    assertThatThrownBy(() -> store.store(endless)).isInstanceOf(Failure.PayloadTooLarge.class);
    assertThat(endless.served).isGreaterThan(SMALL.maxZippedBytes()).isLessThanOrEqualTo(SMALL.maxZippedBytes() + 64 * 1024);
    assertNothingInProgress();
  }

  @Test
  void defaultLimitsAreLambdasAndTheirMessagesSayMegabytes() {
    PackageLimits d = PackageLimits.defaults();
    assertThat(d).isEqualTo(new PackageLimits(50 * MB, 250 * MB, 20_000));
    assertThat(PackageLimits.describe(d.maxUnpackedBytes())).isEqualTo("250 MB");
    assertThat(PackageLimits.describe(3 * MB / 2)).isEqualTo("1.5 MB");
    assertThat(PackageLimits.describe(800)).isEqualTo("800 bytes");

    ArtifactStore defaults = ArtifactStore.open(tmp.resolve("defaults"), d);
    assertThatThrownBy(() -> defaults.store(new CountingZeros()))
        .isInstanceOf(Failure.PayloadTooLarge.class)
        .hasMessage("package is larger than the 50 MB limit (zipped)");
  }

  @Test
  void limitsAreValidated() {
    assertThatThrownBy(() -> new PackageLimits(0, 1, 1)).hasMessage("maxZippedBytes: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new PackageLimits(1, -5, 1)).hasMessage("maxUnpackedBytes: -5 (expected: >= 1)");
    assertThatThrownBy(() -> new PackageLimits(1, 1, 0)).hasMessage("maxEntries: 0 (expected: >= 1)");
  }

  @Test
  void retainOnlyDeletesUnreferencedCodeAndZips() {
    StoredPackage live = store(Zips.ofText("a.txt", "live"));
    StoredPackage dead = store(Zips.ofText("a.txt", "dead"));

    store.retainOnly(Set.of(live.sha256()));

    assertThat(live.dir().resolve("a.txt")).hasContent("live");
    assertThat(dead.dir()).doesNotExist();
    assertThat(root.resolve("sha256").resolve(dead.sha256().substring(0, 2)).resolve(dead.sha256() + ".zip")).doesNotExist();
    assertThat(root.resolve("sha256").resolve(live.sha256().substring(0, 2)).resolve(live.sha256() + ".zip")).exists();
    assertNothingInProgress();

    store.retainOnly(Set.of());
    assertThat(live.dir()).doesNotExist();
    // and a package can be stored again after collection
    assertThat(store(Zips.ofText("a.txt", "live")).dir().resolve("a.txt")).hasContent("live");
  }

  @Test
  void reopeningClearsWorkAbandonedByACrash() throws Exception {
    Files.createDirectories(root.resolve("tmp/unpack-123/half"));
    Files.writeString(root.resolve("tmp/upload-1.zip"), "partial");
    ArtifactStore.open(root, SMALL);
    assertNothingInProgress();
  }

  @Test
  void codeDirRejectsMalformedShas() {
    assertThatThrownBy(() -> store.codeDir("../../etc")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: 64 lowercase hex digits");
  }

  private void assertNothingInProgress() {
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  private static Set<PosixFilePermission> permissions(Path file) {
    try {
      return Files.getPosixFilePermissions(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Two entries with one name; ZipOutputStream refuses to write that, so rename one after the fact. */
  private static byte[] duplicateEntries() {
    byte[] zip = Zips.ofText("x.txt", "one", "y.txt", "two");
    return new String(zip, StandardCharsets.ISO_8859_1).replace("y.txt", "x.txt").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A valid directory, but the deflated bytes of the entry are overwritten. */
  private static byte[] damagedData() {
    byte[] zip = Zips.of(Map.of("data.txt", "some text that deflates into a few bytes ".repeat(50).getBytes(StandardCharsets.UTF_8)));
    int dataStart = 30 + "data.txt".length(); // local header + name, no extra field
    for (int i = dataStart; i < dataStart + 8; i++) {
      zip[i] = (byte) 0xFF;
    }
    return zip;
  }

  /** Random letters a..p: deflates about 2:1, so it passes the zipped limit and the bomb ratio. */
  private static byte[] halfCompressible(int size, long seed) {
    byte[] data = Zips.incompressible(size, seed);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) ('a' + (data[i] & 0x0F));
    }
    return data;
  }

  /** An endless upload of zeros that counts what was read from it. */
  private static final class CountingZeros extends InputStream {
    long served;

    @Override
    public int read() {
      served++;
      return 0;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      served += len;
      Arrays.fill(b, off, off + len, (byte) 0);
      return len;
    }
  }
}
