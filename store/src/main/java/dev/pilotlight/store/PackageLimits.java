package dev.pilotlight.store;

import java.util.Locale;

/**
 * How big an uploaded package may be. The defaults are AWS Lambda's.
 *
 * @param maxZippedBytes largest upload accepted (default 50 MB)
 * @param maxUnpackedBytes most bytes the package may unpack to, counted while inflating, not taken
 *     from the zip's own (forgeable) size fields (default 250 MB)
 * @param maxEntries most entries (files and directories) in one package (default 20,000)
 */
public record PackageLimits(long maxZippedBytes, long maxUnpackedBytes, int maxEntries) {

  static final long MB = 1024L * 1024;

  public PackageLimits {
    if (maxZippedBytes < 1) {
      throw new IllegalArgumentException("maxZippedBytes: " + maxZippedBytes + " (expected: >= 1)");
    }
    if (maxUnpackedBytes < 1) {
      throw new IllegalArgumentException("maxUnpackedBytes: " + maxUnpackedBytes + " (expected: >= 1)");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
  }

  /** 50 MB zipped, 250 MB unpacked, 20,000 entries. */
  public static PackageLimits defaults() {
    return new PackageLimits(50 * MB, 250 * MB, 20_000);
  }

  /**
   * The largest request body a package upload needs: the package as base64 (a Lambda
   * CreateFunction or UpdateFunctionCode carries it as one JSON string, a third larger than the
   * zip) plus 1 MB for the rest of the request.
   */
  public long largestUploadRequestBytes() {
    return 4 * ((maxZippedBytes + 2) / 3) + MB;
  }

  /** A byte count as users read limits: {@code 50 MB}, {@code 1.5 MB}, {@code 800 bytes}. */
  static String describe(long bytes) {
    if (bytes % MB == 0) {
      return bytes / MB + " MB";
    }
    if (bytes >= MB / 10) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / (double) MB);
    }
    return bytes + " bytes";
  }
}
