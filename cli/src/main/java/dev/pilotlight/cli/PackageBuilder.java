package dev.pilotlight.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.pilotlight.model.FunctionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Turns what the user points {@code deploy} at (a directory, a .jar or a .zip) into the upload
 * zip the daemon expects: the code at the root plus one {@code pilotlight.yaml}, the package's
 * manifest with the flags applied over it.
 *
 * <p>Entries are written sorted and with a fixed timestamp, so the same code and settings give
 * the same bytes and the daemon's content-addressed store sees an unchanged package.
 */
final class PackageBuilder {

  static final String MANIFEST = "pilotlight.yaml";
  /** The manifest key naming the command {@code dev} builds a directory with. */
  static final String BUILD = "build";

  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // "1" in an env value must stay a string, not come back as a number
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  private enum Kind { DIRECTORY, JAR, ZIP }

  private PackageBuilder() {}

  /** Builds the upload zip for {@code path} in a temporary file. */
  static BuiltPackage build(Path path, ManifestOverrides overrides) throws IOException {
    if (!Files.exists(path)) {
      throw new CliFailure.Usage(path + " does not exist (expected a directory, a .jar or a .zip)");
    }
    Kind kind = kindOf(path);
    Map<String, Object> manifest = readManifest(path, kind);
    Path code = path;
    manifest.remove(BUILD); // a directive for `dev`, not a setting
    Object packagePath = manifest.remove("package");
    if (packagePath != null) {
      if (kind != Kind.DIRECTORY) {
        throw new CliFailure.Failed(MANIFEST + " in " + path + ": package: only applies when deploying a directory");
      }
      code = path.resolve(String.valueOf(packagePath)).normalize();
      if (!Files.exists(code)) {
        throw new CliFailure.Usage(code + " does not exist — build it first (e.g. with ./mvnw package)");
      }
    }
    Map<String, Object> merged = merge(manifest, overrides, derivedName(path));
    String name = (String) merged.get("name");
    FunctionSpec.validateName(name);

    Path zip = Files.createTempFile("pilotlight-" + name + "-", ".zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      add(out, MANIFEST, o -> o.write(YAML.writeValueAsBytes(merged)));
      writeCode(out, code, kindOf(code));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(zip);
      throw e;
    }
    return new BuiltPackage(name, zip, Files.size(zip), Collections.unmodifiableMap(merged));
  }

  /**
   * The manifest with the flags applied: {@code name} first (the flag, else the manifest's, else
   * {@code defaultName}), flag settings replacing keys, and env merged key by key.
   */
  static Map<String, Object> merge(Map<String, Object> manifest, ManifestOverrides flags, String defaultName) {
    Map<String, Object> merged = new LinkedHashMap<>();
    Object manifestName = manifest.get("name");
    String name = flags.name() != null ? flags.name()
        : manifestName != null && !String.valueOf(manifestName).isBlank() ? String.valueOf(manifestName)
        : defaultName;
    if (name == null) {
      throw new CliFailure.Usage("cannot derive a function name from the path; pass --name");
    }
    merged.put("name", name);
    merged.putAll(manifest);
    merged.put("name", name);
    merged.putAll(flags.settings());

    Object manifestEnv = manifest.get("env");
    if (manifestEnv != null && !(manifestEnv instanceof Map)) {
      throw new CliFailure.Failed(MANIFEST + ": env must be a map of NAME: value (was: " + manifestEnv + ")");
    }
    if (!flags.env().isEmpty()) {
      Map<String, Object> env = new LinkedHashMap<>();
      if (manifestEnv instanceof Map<?, ?> m) {
        m.forEach((k, v) -> env.put(String.valueOf(k), v));
      }
      env.putAll(flags.env());
      merged.put("env", env);
    }
    return merged;
  }

  /**
   * A function name from a directory or file name: the extension dropped, lowercased, every
   * character outside {@code [a-z0-9-]} replaced by '-'; null when nothing usable is left.
   */
  static String derivedName(Path path) {
    Path file = path.toAbsolutePath().normalize().getFileName();
    if (file == null) {
      return null;
    }
    String base = file.toString();
    if (!Files.isDirectory(path)) {
      int dot = base.lastIndexOf('.');
      base = dot > 0 ? base.substring(0, dot) : base;
    }
    String name = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+", "");
    name = name.length() > 63 ? name.substring(0, 63) : name;
    name = name.replaceAll("-+$", "");
    return name.isEmpty() ? null : name;
  }

  private static Kind kindOf(Path path) {
    if (Files.isDirectory(path)) {
      return Kind.DIRECTORY;
    }
    String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (file.endsWith(".jar")) {
      return Kind.JAR;
    }
    if (file.endsWith(".zip")) {
      return Kind.ZIP;
    }
    throw new CliFailure.Usage(path + " is neither a directory, a .jar nor a .zip");
  }

  /** A directory's manifest as written (empty without one). */
  static Map<String, Object> directoryManifest(Path dir) throws IOException {
    return readManifest(dir, Kind.DIRECTORY);
  }

  private static Map<String, Object> readManifest(Path path, Kind kind) throws IOException {
    return switch (kind) {
      case DIRECTORY -> {
        Path file = path.resolve(MANIFEST);
        yield Files.isRegularFile(file) ? parseManifest(Files.readAllBytes(file), file.toString()) : new LinkedHashMap<>();
      }
      case ZIP -> {
        try (ZipFile zip = openZip(path)) {
          ZipEntry entry = zip.getEntry(MANIFEST);
          if (entry == null || entry.isDirectory()) {
            yield new LinkedHashMap<>();
          }
          try (InputStream in = zip.getInputStream(entry)) {
            yield parseManifest(in.readAllBytes(), path + "!/" + MANIFEST);
          }
        }
      }
      case JAR -> new LinkedHashMap<>();
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parseManifest(byte[] yaml, String where) {
    Object value;
    try {
      value = YAML.readValue(yaml, Object.class);
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new CliFailure.Failed(where + " is not valid YAML" + at + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CliFailure.Failed("cannot read " + where + ": " + e.getMessage(), e);
    }
    if (value == null) {
      return new LinkedHashMap<>();
    }
    if (!(value instanceof Map)) {
      throw new CliFailure.Failed(where + " must be a map of settings (name, runtime, handler…)");
    }
    return new LinkedHashMap<>((Map<String, Object>) value);
  }

  private static void writeCode(ZipOutputStream out, Path code, Kind kind) throws IOException {
    switch (kind) {
      case DIRECTORY -> {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(code)) {
          files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
          String entry = zipPath(code.relativize(file));
          if (!entry.equals(MANIFEST)) {
            add(out, entry, o -> Files.copy(file, o));
          }
        }
      }
      case JAR -> add(out, code.getFileName().toString(), o -> Files.copy(code, o));
      case ZIP -> {
        try (ZipFile zip = openZip(code)) {
          List<? extends ZipEntry> entries = new ArrayList<>(Collections.list(zip.entries()));
          entries.sort(Comparator.comparing(ZipEntry::getName));
          for (ZipEntry e : entries) {
            if (e.getName().equals(MANIFEST)) {
              continue;
            }
            if (e.isDirectory()) {
              add(out, e.getName(), o -> {});
            } else {
              add(out, e.getName(), o -> {
                try (InputStream in = zip.getInputStream(e)) {
                  in.transferTo(o);
                }
              });
            }
          }
        }
      }
    }
  }

  private static ZipFile openZip(Path path) throws IOException {
    try {
      return new ZipFile(path.toFile());
    } catch (ZipException e) {
      throw new CliFailure.Failed(path + " is not a readable zip file: " + e.getMessage(), e);
    }
  }

  private static String zipPath(Path relative) {
    List<String> parts = new ArrayList<>();
    relative.forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }

  private interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  private static void add(ZipOutputStream out, String name, Content content) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTimeLocal(FIXED_TIME);
    out.putNextEntry(entry);
    content.writeTo(out);
    out.closeEntry();
  }
}
