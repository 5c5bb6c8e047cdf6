package dev.pilotlight.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/** Builds a package and uploads it: the code path shared by {@code deploy} and {@code demo}. */
final class Deployer {
  private Deployer() {}

  /** What the daemon answered to an upload. */
  record Deployed(JsonNode function, long uploadBytes) {
    String name() {
      return Json.text(function, "name");
    }

    /** {@code deployed hello-java revision 2 (java, 4.1 kB) → http://127.0.0.1:8080/fn/hello-java/} */
    String summary() {
      long size = function.hasNonNull("codeSize") ? function.get("codeSize").asLong() : uploadBytes;
      return "deployed " + name() + " revision " + Json.text(function, "revision")
          + " (" + Json.text(function, "runtime") + ", " + Formats.size(size) + ") → " + Json.text(function, "url");
    }
  }

  static Deployed deploy(DaemonClient client, Path path, ManifestOverrides overrides) throws IOException {
    try (BuiltPackage pkg = PackageBuilder.build(path, overrides)) {
      JsonNode function = client.putZip(DaemonClient.functionPath(pkg.name()), pkg.zip());
      return new Deployed(function, pkg.size());
    }
  }
}
