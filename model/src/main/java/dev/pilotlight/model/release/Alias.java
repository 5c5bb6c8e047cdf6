package dev.pilotlight.model.release;

import dev.pilotlight.model.Failure;
import java.util.regex.Pattern;

/**
 * A named pointer at one of a function's revisions, as a Lambda alias: invoking {@code NAME:ALIAS}
 * runs {@code revision}, or, with a routing weight, sends that share of the calls to
 * {@code additionalRevision} instead ({@code RoutingConfig.AdditionalVersionWeights}).
 *
 * @param name 1–128 letters, digits, {@code -} or {@code _}, not all digits (that is a version)
 * @param revision the revision it points at; null for {@code $LATEST}
 * @param additionalRevision the second revision of a weighted alias, or null
 * @param additionalWeight the share of calls {@code additionalRevision} gets, 0.0–1.0 (0 without one)
 * @param description free text, up to 256 characters
 */
public record Alias(String name, Long revision, Long additionalRevision, double additionalWeight, String description) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  public Alias {
    validateName(name);
    if (revision != null && revision < 1) {
      throw new Failure.InvalidInput("alias '" + name + "': version " + revision + " (expected: a version number >= 1, or $LATEST)");
    }
    if (additionalRevision != null) {
      if (revision == null) {
        throw new Failure.InvalidInput("alias '" + name + "': a routing configuration needs the alias to point at a published "
            + "version, not $LATEST (as on AWS Lambda)");
      }
      if (additionalRevision < 1) {
        throw new Failure.InvalidInput("alias '" + name + "': additional version " + additionalRevision + " (expected: >= 1)");
      }
      if (additionalRevision.equals(revision)) {
        throw new Failure.InvalidInput("alias '" + name + "': the additional version " + additionalRevision
            + " is the version the alias points at (expected another)");
      }
      if (!(additionalWeight >= 0.0 && additionalWeight <= 1.0)) {
        throw new Failure.InvalidInput("alias '" + name + "': weight " + additionalWeight + " for version " + additionalRevision
            + " (expected: 0.0 to 1.0)");
      }
    } else if (additionalWeight != 0.0) {
      throw new Failure.InvalidInput("alias '" + name + "': a weight without an additional version");
    }
    description = description == null ? "" : description;
    if (description.length() > 256) {
      throw new Failure.InvalidInput("alias '" + name + "': the description has " + description.length() + " characters (at most 256)");
    }
  }

  public static void validateName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.chars().allMatch(Character::isDigit) || name.equals("latest")) {
      throw new Failure.InvalidInput("alias name '" + name + "' (expected: 1 to 128 letters, digits, '-' or '_', not all digits, not 'latest')");
    }
  }

  /** The revision a call takes for a uniform draw {@code u} in [0, 1). */
  public long pick(double u, long latest) {
    if (additionalRevision != null && u < additionalWeight) {
      return additionalRevision;
    }
    return revision == null ? latest : revision;
  }

  /** {@code $LATEST} or the version number, as Lambda's {@code FunctionVersion}. */
  public String version() {
    return revision == null ? "$LATEST" : Long.toString(revision);
  }
}
