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

    /**
     * {@code deployed hello-java revision 2 (java, 4.1 kB) → http://127.0.0.1:8080/fn/hello-java/}, and
     * a line more when the deploy started a rollout, or when the daemon noted why the package's did not apply.
     */
    String summary() {
      long size = function.hasNonNull("codeSize") ? function.get("codeSize").asLong() : uploadBytes;
      String line = "deployed " + name() + " revision " + Json.text(function, "revision")
          + " (" + Json.text(function, "runtime") + ", " + Formats.size(size) + ") → " + Json.text(function, "url");
      // The function object holds its last rollout, which may be an earlier one: only this revision's running one is news.
      JsonNode rollout = function.path("rollout");
      if (rollout.isObject() && Json.text(rollout, "revision").equals(Json.text(function, "revision"))
          && Json.text(rollout, "status").equals("running")) {
        line += "\nrolling out over revision " + Json.text(rollout, "stable") + " (" + Json.text(rollout, "plan")
            + "): it warms up, then takes its shares while it answers no worse; pilotlight rollout status " + name();
      }
      if (function.hasNonNull("notice")) {
        line += "\n" + Json.text(function, "notice");
      }
      return line;
    }
  }

  static Deployed deploy(DaemonClient client, Path path, ManifestOverrides overrides) throws IOException {
    return deploy(client, path, overrides, null);
  }

  /**
   * @param rollout null (as the package's pilotlight.yaml says), a rollout plan ({@code canary:10%,5m})
   *     the new revision takes over by, or {@code none} (at once, whatever pilotlight.yaml says)
   */
  static Deployed deploy(DaemonClient client, Path path, ManifestOverrides overrides, String rollout) throws IOException {
    return deploy(client, path, overrides, rollout, null);
  }

  /** @param progress told of the upload as it goes; null: nothing is told */
  static Deployed deploy(DaemonClient client, Path path, ManifestOverrides overrides, String rollout, DeployProgress progress)
      throws IOException {
    try (BuiltPackage pkg = PackageBuilder.build(path, overrides)) {
      String target = DaemonClient.functionPath(pkg.name())
          + (rollout == null ? "" : "?rollout=" + java.net.URLEncoder.encode(rollout, java.nio.charset.StandardCharsets.UTF_8));
      if (progress != null) {
        progress.uploading(pkg.name(), pkg.size());
      }
      long start = System.nanoTime();
      JsonNode function = client.putZip(target, pkg.zip());
      if (progress != null) {
        progress.uploaded((System.nanoTime() - start) / 1_000_000);
      }
      return new Deployed(function, pkg.size());
    }
  }
}
