package dev.pilotlight.server;

import dev.pilotlight.store.PackageLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the daemon is configured with; each default is documented in docs/configuration.md.
 *
 * @param host listen address (default 127.0.0.1)
 * @param port the one port (default 8080; 0 = any free port)
 * @param dataDir registry, artifacts and logs (default ~/.pilotlight)
 * @param runnerJar the Java runner jar (default: found next to the daemon's jars)
 * @param limits package size limits (default 50 MB zipped, 250 MB unpacked)
 * @param maxQueue requests that may wait per function (default 1000)
 * @param scalingTick how often idle instances are looked for (default 1 s)
 */
public record DaemonConfig(String host, int port, Path dataDir, Path runnerJar, PackageLimits limits, int maxQueue, Duration scalingTick) {
  public DaemonConfig {
    if (dataDir == null) {
      throw new IllegalArgumentException("dataDir: null (expected a directory path)");
    }
    if (runnerJar == null) {
      throw new IllegalArgumentException("runnerJar: null (expected the path of pilotlight-java-runner.jar)");
    }
    if (maxQueue < 1) {
      throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: >= 1)");
    }
  }

  /** Defaults for everything but where things live. */
  public static DaemonConfig defaults(Path dataDir, Path runnerJar) {
    return new DaemonConfig("127.0.0.1", 8080, dataDir, runnerJar, PackageLimits.defaults(), 1000, Duration.ofSeconds(1));
  }

  public DaemonConfig withPort(int p) {
    return new DaemonConfig(host, p, dataDir, runnerJar, limits, maxQueue, scalingTick);
  }

  public DaemonConfig withLimits(PackageLimits l) {
    return new DaemonConfig(host, port, dataDir, runnerJar, l, maxQueue, scalingTick);
  }

  public DaemonConfig withScalingTick(Duration t) {
    return new DaemonConfig(host, port, dataDir, runnerJar, limits, maxQueue, t);
  }
}
