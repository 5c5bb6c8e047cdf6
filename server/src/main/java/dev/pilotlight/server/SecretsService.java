package dev.pilotlight.server;

import dev.pilotlight.activation.Activator;
import dev.pilotlight.executor.SecretValues;
import dev.pilotlight.gateway.SecretControl;
import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Secrets;
import dev.pilotlight.store.LogStore;
import dev.pilotlight.store.SecretStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The daemon's secrets: the API's write-only view of the store ({@link SecretControl}) and where
 * starting instances read values ({@link SecretValues}). Setting a secret again replaces the
 * running instances of every function that uses it, as a redeploy would but keeping their
 * revisions (Activator#recycle): new instances read the new value, old ones finish their requests.
 * Sets and removals run under the control plane's lock, so a removal never races a deploy that
 * refers to the secret.
 */
final class SecretsService implements SecretControl, SecretValues {
  private final SecretStore store;
  private final ControlPlaneService control;
  private final Activator activator;
  private final LogStore logs;
  private final InstantSource clock;

  SecretsService(SecretStore store, ControlPlaneService control, Activator activator, LogStore logs, InstantSource clock) {
    this.store = store;
    this.control = control;
    this.activator = activator;
    this.logs = logs;
    this.clock = clock;
  }

  @Override
  public Set set(String name, byte[] value) {
    Secrets.checkName(name);
    return control.serialized(() -> {
      boolean created = store.find(name).isEmpty();
      SecretStore.Info info = store.put(name, value, clock.instant());
      List<String> users = List.copyOf(control.secretUsers().getOrDefault(name, java.util.Collections.emptySortedSet()));
      List<String> replacing = new ArrayList<>();
      for (String function : users) {
        if (activator.recycle(function, d -> d.spec().secretNames().contains(name)) > 0) {
          replacing.add(function);
        }
        logs.append(function, "-", null, "SECRET " + name + " set (version " + info.version() + "): instances started from now on "
            + "get the new value; running ones are replaced as they finish their requests");
      }
      return new Set(view(info, users), created, replacing);
    });
  }

  @Override
  public List<View> list() {
    SortedMap<String, SortedSet<String>> users = control.secretUsers();
    return store.list().stream().map(i -> view(i, List.copyOf(users.getOrDefault(i.name(), java.util.Collections.emptySortedSet()))))
        .toList();
  }

  @Override
  public Optional<View> find(String name) {
    return store.find(name).map(i -> view(i, List.copyOf(control.secretUsers().getOrDefault(name, java.util.Collections.emptySortedSet()))));
  }

  @Override
  public void delete(String name) {
    control.serialized(() -> {
      SortedSet<String> users = control.secretUsers().getOrDefault(name, java.util.Collections.emptySortedSet());
      if (!users.isEmpty()) {
        throw new Failure.Conflict("secret '" + name + "' is used by " + (users.size() == 1 ? "function " : "functions ")
            + String.join(", ", users) + ": deploy " + (users.size() == 1 ? "it" : "them") + " without it (secrets, secretFiles) first");
      }
      if (!store.delete(name)) {
        throw new Failure.NotFound("secret '" + name + "' does not exist");
      }
      return null;
    });
  }

  /** Whether {@code name} exists, for deploys that refer to it. */
  boolean exists(String name) {
    return store.find(name).isPresent();
  }

  @Override
  public Optional<byte[]> value(String name) {
    return store.value(name);
  }

  private static View view(SecretStore.Info i, List<String> usedBy) {
    return new View(i.name(), i.version(), i.created(), i.updated(), usedBy);
  }
}
