package dev.pilotlight.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every command takes. {@code --url} may be given before or after the command name
 * ({@code pilotlight --url U ls} or {@code pilotlight ls --url U}); the command's own wins.
 */
final class GlobalOptions {
  static final String DEFAULT_URL = "http://127.0.0.1:8080";
  static final String URL_ENV = "PILOTLIGHT_URL";
  static final String TOKEN_ENV = "PILOTLIGHT_TOKEN";
  static final String DATA_DIR_ENV = "PILOTLIGHT_DATA_DIR";
  /** The file the daemon writes its admin token to, in its data dir (owner-only). */
  static final String ADMIN_TOKEN_FILE = "admin.token";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--url", paramLabel = "URL",
      description = "Daemon address (default: $PILOTLIGHT_URL, else " + DEFAULT_URL + ").")
  String url;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  /** The daemon's base URL: {@code --url} here or on a parent command, else the env, else the default. */
  String resolveUrl(Map<String, String> env) {
    String chosen = null;
    for (CommandSpec s = mixee; s != null && chosen == null; s = s.parent()) {
      for (CommandSpec mixin : s.mixins().values()) {
        if (mixin.userObject() instanceof GlobalOptions g && g.url != null) {
          chosen = g.url;
        }
      }
    }
    if (chosen == null) {
      String fromEnv = env.get(URL_ENV);
      chosen = fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : DEFAULT_URL;
    }
    return validated(chosen);
  }

  /**
   * The bearer token to send: {@code $PILOTLIGHT_TOKEN}, else the admin token the daemon wrote to
   * its data dir ({@code $PILOTLIGHT_DATA_DIR}, else {@code ~/.pilotlight}) when this user can read it;
   * null when there is none (the daemon's 401 then says what to do).
   */
  static String resolveToken(Map<String, String> env) {
    String fromEnv = env.get(TOKEN_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    String dir = env.get(DATA_DIR_ENV);
    Path dataDir = dir != null && !dir.isBlank() ? Path.of(dir.strip()) : Path.of(System.getProperty("user.home"), ".pilotlight");
    return readToken(dataDir.resolve(ADMIN_TOKEN_FILE));
  }

  /** The token in {@code file}, or null if it is missing or unreadable. */
  static String readToken(Path file) {
    try {
      String t = Files.readString(file).strip();
      return t.isEmpty() ? null : t;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  private static String validated(String url) {
    try {
      URI uri = new URI(url);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new CliFailure.Usage("--url '" + url + "' is not a daemon address (expected e.g. " + DEFAULT_URL + ")");
  }
}
