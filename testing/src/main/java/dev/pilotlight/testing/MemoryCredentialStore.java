package dev.pilotlight.testing;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.CredentialStore;
import java.util.ArrayList;
import java.util.List;

/** A {@link CredentialStore} in memory, for tests of what uses credentials. */
public final class MemoryCredentialStore implements CredentialStore {
  private final List<StoredToken> tokens = new ArrayList<>();
  private final List<AccessKey> keys = new ArrayList<>();

  @Override
  public synchronized List<StoredToken> tokens() {
    return List.copyOf(tokens);
  }

  @Override
  public synchronized void addToken(StoredToken token) {
    tokens.add(token);
  }

  @Override
  public synchronized boolean revokeToken(String id) {
    return tokens.removeIf(t -> t.id().equals(id));
  }

  @Override
  public synchronized List<AccessKey> keys() {
    return List.copyOf(keys);
  }

  @Override
  public synchronized void addKey(AccessKey key) {
    keys.add(key);
  }

  @Override
  public synchronized boolean revokeKey(String id) {
    return keys.removeIf(k -> k.id().equals(id));
  }

  @Override
  public void close() {}
}
