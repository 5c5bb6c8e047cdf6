package dev.pilotlight.store;

import java.util.HexFormat;
import java.util.regex.Pattern;

/** The one form a package identity takes in the store: 64 lowercase hex digits. */
final class Sha256 {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{64}");

  private Sha256() {}

  static boolean isValid(String s) {
    return s != null && FORM.matcher(s).matches();
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }
}
