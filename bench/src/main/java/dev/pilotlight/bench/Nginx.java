package dev.pilotlight.bench;

import dev.pilotlight.model.io.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * nginx as the baseline reverse proxy: {@code proxy_pass} to one app over HTTP/1.1 keep-alive
 * connections (an {@code upstream} with {@code keepalive 32}, as nginx's documentation recommends
 * for proxying), run in the foreground from a configuration written to its own directory.
 */
final class Nginx implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(20);

  private final Process process;
  private final int port;

  private Nginx(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static String config(Path dir, int port, int appPort) {
    return """
        worker_processes auto;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          upstream app {
            server 127.0.0.1:%3$d;
            keepalive 32;
          }
          server {
            listen 127.0.0.1:%2$d;
            location / {
              proxy_pass http://app;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
            }
          }
        }
        """.formatted(dir.toAbsolutePath(), port, appPort);
  }

  static Nginx start(String binary, Path dir, int appPort) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port = LoopbackPorts.freePort();
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config(dir, port, appPort));
    Process p = new ProcessBuilder(binary, "-p", dir.toAbsolutePath().toString(), "-c", conf.toAbsolutePath().toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    Listening.await(p, port, START_LIMIT, "nginx did not start on port " + port + ": see " + dir.resolve("error.log") + " and "
        + dir.resolve("stdout.log"));
    return new Nginx(p, port);
  }

  /** nginx's master process (it runs in the foreground); its workers are its children. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  int port() {
    return port;
  }

  @Override
  public void close() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroy); // the workers
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
