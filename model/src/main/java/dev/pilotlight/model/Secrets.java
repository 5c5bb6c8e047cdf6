package dev.pilotlight.model;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules of secrets, shared by the store, the APIs and a function's {@code secrets} and
 * {@code secretFiles} settings: what a secret may be named, how large it may be, and what a
 * function may ask for. A function refers to secrets by name only; their values are resolved when
 * an instance starts and never become part of a revision.
 */
public final class Secrets {
  private Secrets() {}

  /** The most bytes a secret's value may hold (AWS Secrets Manager's limit). */
  public static final int MAX_VALUE_BYTES = 64 * 1024;
  /** Where an instance in a sandbox sees its secret files, read-only. */
  public static final String SANDBOX_DIR = "/run/secrets";
  /** The variable that tells an instance where its secret files are ({@value #SANDBOX_DIR} in a sandbox). */
  public static final String DIR_VARIABLE = "PILOTLIGHT_SECRETS_DIR";
  /** The most secrets one function may refer to, variables and files together. */
  public static final int MAX_REFERENCES = 100;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  /** Checks a secret's name (the rule of function names), throwing {@link Failure.InvalidInput} that states the rule. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new Failure.InvalidInput("secret name: '" + name + "' (expected: [a-z0-9][a-z0-9-]{0,62}, as function names, e.g. db-password)");
    }
    return name;
  }

  /** Checks a secret's value: 1 to {@value #MAX_VALUE_BYTES} bytes. */
  public static byte[] checkValue(String name, byte[] value) {
    if (value == null || value.length == 0) {
      throw new Failure.InvalidInput("secret '" + name + "': the value is empty (expected: 1 to " + MAX_VALUE_BYTES + " bytes)");
    }
    if (value.length > MAX_VALUE_BYTES) {
      throw new Failure.PayloadTooLarge("secret '" + name + "': the value is " + value.length + " bytes (expected: at most "
          + MAX_VALUE_BYTES + ")");
    }
    return value;
  }

  /**
   * A function's {@code secrets} as stored: variable names as {@code env}'s rule, not reserved, not
   * also set by {@code env}; each naming a valid secret.
   */
  static Map<String, String> checkedEnv(Map<String, String> secrets, Map<String, String> env) {
    if (secrets == null || secrets.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new TreeMap<>(secrets);
    for (var e : copy.entrySet()) {
      String key = e.getKey();
      if (!ENV_KEY.matcher(key).matches()) {
        throw new Failure.InvalidInput("secrets: variable '" + key + "' (expected: [A-Za-z_][A-Za-z0-9_]*)");
      }
      if (FunctionSpec.RESERVED_ENV.contains(key) || key.equals(DIR_VARIABLE)) {
        throw new Failure.InvalidInput("secrets: variable '" + key + "' is reserved: Pilotlight sets it for every function");
      }
      if (env.containsKey(key)) {
        throw new Failure.InvalidInput("secrets: variable '" + key + "' is also set by env (expected: each variable in one of them)");
      }
      referenced("secrets: variable '" + key + "'", e.getValue());
    }
    if (copy.size() > MAX_REFERENCES) {
      throw new Failure.InvalidInput("secrets: " + copy.size() + " variables (expected: at most " + MAX_REFERENCES + ")");
    }
    return Collections.unmodifiableMap(copy);
  }

  /** A function's {@code secretFiles} as stored: plain file names (no directories, no dot files), each naming a valid secret. */
  static Map<String, String> checkedFiles(Map<String, String> files) {
    if (files == null || files.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new TreeMap<>(files);
    for (var e : copy.entrySet()) {
      if (!FILE_NAME.matcher(e.getKey()).matches()) {
        throw new Failure.InvalidInput("secretFiles: file '" + e.getKey() + "' (expected: a plain file name, [A-Za-z0-9_][A-Za-z0-9._-]{0,127}, "
            + "e.g. db-password or tls.key; it is placed in " + SANDBOX_DIR + ")");
      }
      referenced("secretFiles: file '" + e.getKey() + "'", e.getValue());
    }
    if (copy.size() > MAX_REFERENCES) {
      throw new Failure.InvalidInput("secretFiles: " + copy.size() + " files (expected: at most " + MAX_REFERENCES + ")");
    }
    return Collections.unmodifiableMap(copy);
  }

  private static void referenced(String what, String secret) {
    if (secret == null || !NAME.matcher(secret).matches()) {
      throw new Failure.InvalidInput(what + " names secret '" + secret + "' (expected: a secret name, [a-z0-9][a-z0-9-]{0,62})");
    }
  }
}
