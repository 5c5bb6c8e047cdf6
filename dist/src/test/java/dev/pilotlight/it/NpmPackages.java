package dev.pilotlight.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * npm packages the integration tests run (AWS's Node runtime interface client, AWS's JS SDK),
 * installed from the npm registry once into a cache per package and version
 * ({@code ~/.cache/pilotlight-it}; {@code pilotlight.it.cache} moves it).
 */
final class NpmPackages {
  private NpmPackages() {}

  /**
   * The cache directory holding {@code node_modules/<name>} at {@code version}, installed now if
   * {@code marker} (a file of the package, relative to its directory) is not there yet.
   */
  static Path installed(String name, String version, String marker) throws Exception {
    Path cache = Path.of(System.getProperty("pilotlight.it.cache", System.getProperty("user.home") + "/.cache/pilotlight-it"))
        .resolve(name.replace("@", "").replace('/', '-') + "-" + version);
    if (!Files.exists(cache.resolve("node_modules").resolve(name).resolve(marker))) {
      Files.createDirectories(cache);
      ResponseStreamingIT.run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", cache.toString(), name + "@" + version), cache);
    }
    return cache;
  }
}
