package dev.pilotlight.gateway;

import dev.pilotlight.model.Deployment;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** What the control API needs from the daemon's store side; the server module implements it. */
public interface ControlPlane {
  /** The outcome of a deploy: the stored deployment and whether the name is new. */
  record Deployed(Deployment deployment, boolean created) {}

  /** Stores and activates a package (a zip with {@code pilotlight.yaml} at its root); durable before it returns. */
  Deployed deploy(String name, InputStream zip);

  List<Deployment> list();

  Optional<Deployment> find(String name);

  /** Removes a function, its instances and its logs; false when it did not exist. */
  boolean delete(String name);

  List<String> tailLogs(String name, int lines);

  /** Streams new log lines of {@code name} until the returned handle is closed. */
  AutoCloseable followLogs(String name, Consumer<String> onLine);
}
