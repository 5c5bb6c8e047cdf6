package dev.pilotlight.gateway.auth;

import dev.pilotlight.model.auth.AccessKey;
import dev.pilotlight.model.auth.CredentialStore;
import dev.pilotlight.model.auth.CredentialStore.StoredToken;
import dev.pilotlight.model.auth.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credentials the daemon issued, checked in memory: bearer tokens by their SHA-256 (a token
 * is 256 random bits, so a fast hash is enough and nothing usable is stored) and access keys by id.
 * Lookups never block, so they run on event loops; issuing and revoking write the store first
 * (durable before it is answered) and run on the management pool.
 */
public final class Credentials {
  /** Every token begins so; it tells a Pilotlight token from other secrets in a leak scan. */
  public static final String TOKEN_PREFIX = "plt_";
  private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  /** A token just issued: the only time the token itself exists outside its holder. */
  public record IssuedToken(StoredToken stored, String token) {}

  private final CredentialStore store;
  private final InstantSource clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, StoredToken> tokensByHash = new ConcurrentHashMap<>();
  private final Map<String, AccessKey> keysById = new ConcurrentHashMap<>();

  public Credentials(CredentialStore store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
    store.tokens().forEach(t -> tokensByHash.put(t.sha256(), t));
    store.keys().forEach(k -> keysById.put(k.id(), k));
  }

  /**
   * Reads the store again: with a database several daemons share, tokens and keys issued or
   * revoked by the others take effect here at the next reload (once a second).
   */
  public void reload() {
    Map<String, StoredToken> tokens = new java.util.HashMap<>();
    store.tokens().forEach(t -> tokens.put(t.sha256(), t));
    Map<String, AccessKey> keys = new java.util.HashMap<>();
    store.keys().forEach(k -> keys.put(k.id(), k));
    tokensByHash.putAll(tokens);
    tokensByHash.keySet().retainAll(tokens.keySet());
    keysById.putAll(keys);
    keysById.keySet().retainAll(keys.keySet());
  }

  /** The role of a bearer token, if it is one the daemon issued and has not revoked. */
  public Optional<Role> tokenRole(String token) {
    if (token == null || !token.startsWith(TOKEN_PREFIX)) {
      return Optional.empty();
    }
    StoredToken t = tokensByHash.get(sha256(token));
    return Optional.ofNullable(t).map(StoredToken::role);
  }

  /** The access key with this id, for SigV4 checks. */
  public Optional<AccessKey> key(String id) {
    return Optional.ofNullable(id == null ? null : keysById.get(id));
  }

  /** Issues a new token (stored before it is returned). */
  public IssuedToken issueToken(Role role, String description) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String hash = sha256(token);
    StoredToken stored = new StoredToken("tok_" + hash.substring(0, 12), hash, role, description, clock.instant());
    store.addToken(stored);
    tokensByHash.put(hash, stored);
    return new IssuedToken(stored, token);
  }

  /**
   * Stores a token the operator made (a Kubernetes Secret every node reads) as if it had been issued
   * here with {@code role}: only its SHA-256 is kept, as for an issued one. It must look like one:
   * {@value #TOKEN_PREFIX} and at least 43 base64url characters (256 bits). A token already known
   * with the same role is left as it is; with another role it is refused.
   */
  public StoredToken adoptToken(String token, Role role, String description) {
    if (token == null || !token.matches(TOKEN_PREFIX + "[A-Za-z0-9_-]{43,}")) {
      throw new IllegalArgumentException("the token given is not one: expected " + TOKEN_PREFIX
          + " and at least 43 base64url characters (256 random bits), e.g. plt_$(head -c 32 /dev/urandom | basenc --base64url | tr -d =)");
    }
    String hash = sha256(token);
    StoredToken known = tokensByHash.get(hash);
    if (known != null) {
      if (known.role() != role) {
        throw new IllegalArgumentException("the token given is already known as " + known.id() + " with the role " + known.role()
            + " (expected: " + role + ")");
      }
      return known;
    }
    StoredToken stored = new StoredToken("tok_" + hash.substring(0, 12), hash, role, description, clock.instant());
    store.addToken(stored);
    tokensByHash.put(hash, stored);
    return stored;
  }

  /** Revokes a token by id; false if there is none. It stops working at once. */
  public boolean revokeToken(String id) {
    boolean removed = store.revokeToken(id);
    tokensByHash.values().removeIf(t -> t.id().equals(id));
    return removed;
  }

  /** Tokens not revoked, oldest first (their hashes, never the tokens). */
  public List<StoredToken> tokens() {
    return store.tokens();
  }

  /** Issues a new access key for the Lambda API (stored before it is returned). */
  public AccessKey issueKey(Role role, String description) {
    StringBuilder id = new StringBuilder("PLAK");
    for (int i = 0; i < 16; i++) {
      id.append(KEY_ALPHABET.charAt(random.nextInt(KEY_ALPHABET.length())));
    }
    byte[] secret = new byte[30];
    random.nextBytes(secret);
    AccessKey key = new AccessKey(id.toString(), Base64.getEncoder().encodeToString(secret), role, description, clock.instant());
    store.addKey(key);
    keysById.put(key.id(), key);
    return key;
  }

  /** Revokes an access key; false if there is none. It stops working at once. */
  public boolean revokeKey(String id) {
    boolean removed = store.revokeKey(id);
    keysById.remove(id);
    return removed;
  }

  /** Access keys not revoked, oldest first. */
  public List<AccessKey> keys() {
    return store.keys();
  }

  /** The oldest access key not revoked with exactly this description, looked up in the store (not every key read). */
  public Optional<AccessKey> keyDescribed(String description) {
    return store.keyDescribed(description);
  }

  /** The lower-case hex SHA-256 of a token's UTF-8 bytes, as stored. */
  public static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)))
          .toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
