package dev.pilotlight.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dev DIR}: the developer loop. Builds the directory (Maven when it has a {@code pom.xml},
 * else the manifest's {@code build:} command, else nothing), deploys it, prints the function's log
 * as it comes, and on every change under the directory builds and deploys again, in place (no
 * rollout), until Ctrl-C. The function stays deployed afterwards.
 */
@Command(name = "dev",
    description = "Deploy a directory, then rebuild (Maven for a pom.xml, else pilotlight.yaml's build: command) and redeploy it on "
        + "every change, printing the function's log as it comes, until Ctrl-C. Takes deploy's flags.",
    modelTransformer = DeployCommand.SettingFlags.class)
final class DevCommand extends DeployCommand {
  /** How much of a failed build's output is shown. */
  static final int BUILD_TAIL_LINES = 30;

  @Option(names = "--no-logs", description = "Do not print the function's log.")
  boolean noLogs;

  DevCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(path)) {
      throw new CliFailure.Usage(path + " is not a directory (dev watches a directory; deploy takes a .jar or .zip)");
    }
    Map<String, Object> manifest = PackageBuilder.directoryManifest(path);
    List<String> build = buildCommand(path, manifest);
    List<Path> skipped = new ArrayList<>();
    if (manifest.get("package") != null) {
      skipped.add(path.resolve(String.valueOf(manifest.get("package"))));
    }
    DaemonClient client = client();
    PrintStream out = ctx.out();
    ManifestOverrides overrides = overrides();
    Thread[] logs = new Thread[1];
    out.println("watching " + path.toAbsolutePath().normalize() + (build.isEmpty() ? "" : "; building with: " + String.join(" ", build))
        + " (Ctrl-C stops watching; the function stays deployed)");
    try {
      new DevLoop(path, skipped, out).run(() -> {
        if (!build.isEmpty()) {
          build(build, out);
        }
      }, () -> {
        Deployer.Deployed d = Deployer.deploy(client, path, overrides, "none");
        out.println(d.summary());
        if (!noLogs && logs[0] == null) {
          logs[0] = follow(client, d.name(), out);
        }
      });
    } finally {
      if (logs[0] != null) {
        logs[0].interrupt();
      }
    }
    return 0;
  }

  /**
   * The build for {@code dir}: the manifest's {@code build:} command (run with {@code sh -c}), else
   * Maven's {@code package} for a {@code pom.xml} (the nearest {@code mvnw} up the tree, else
   * {@code mvn}), else none.
   */
  static List<String> buildCommand(Path dir, Map<String, Object> manifest) {
    Object command = manifest.get(PackageBuilder.BUILD);
    if (command != null && !String.valueOf(command).isBlank()) {
      return List.of("sh", "-c", String.valueOf(command));
    }
    if (Files.isRegularFile(dir.resolve("pom.xml"))) {
      String maven = "mvn";
      for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
        if (Files.isExecutable(p.resolve("mvnw"))) {
          maven = p.resolve("mvnw").toString();
          break;
        }
      }
      return List.of(maven, "-q", "-B", "-DskipTests", "-f", dir.toAbsolutePath().normalize().resolve("pom.xml").toString(), "package");
    }
    return List.of();
  }

  /** Runs the build in {@code dir}; on failure throws with the end of its output. */
  private void build(List<String> command, PrintStream out) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).directory(path.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output;
    try (InputStream in = p.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      p.destroyForcibly();
      throw e;
    } finally {
      if (Thread.currentThread().isInterrupted()) {
        p.destroyForcibly();
      }
    }
    int exit = p.waitFor();
    if (exit != 0) {
      List<String> lines = output.lines().toList();
      out.println(String.join("\n", lines.subList(Math.max(0, lines.size() - BUILD_TAIL_LINES), lines.size())));
      throw new IOException("the build exited with " + exit);
    }
    out.printf("built in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  /** Prints the function's new log lines as they come, reconnecting if the stream ends, until interrupted. */
  private static Thread follow(DaemonClient client, String name, PrintStream out) {
    return Thread.ofPlatform().daemon().name("dev-logs").start(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          client.streamLines(DaemonClient.functionPath(name) + "/logs?tail=0&follow=true", line -> {
            out.println(line);
            out.flush();
          });
        } catch (RuntimeException lost) {
          // the daemon restarted or the stream ended: try again shortly
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }
}
