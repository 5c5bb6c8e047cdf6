package dev.pilotlight.model.release;

import dev.pilotlight.model.Failure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a function's URL calls are split between its revisions, as Knative's Route {@code traffic}
 * block: each target is a revision (or whichever is latest) with a percentage and an optional tag
 * that gives the revision a URL of its own ({@code /fn/NAME@TAG/}). The percentages add up to 100;
 * a tagged target may have 0 %.
 *
 * @param targets in the order given; at least one
 */
public record Traffic(List<Target> targets) {
  /** Every call to whichever revision is the latest: what a function without a traffic block does. */
  public static final Traffic LATEST = new Traffic(List.of(new Target(null, 100, null)));

  private static final Pattern TAG = Pattern.compile("[a-z][a-z0-9-]{0,30}");

  /**
   * One share of the traffic.
   *
   * @param revision the revision, or null for the latest (it follows every deploy)
   * @param percent 0–100
   * @param tag null, or a name for the target's own URL: a lowercase letter, then up to 30 lowercase
   *     letters, digits or hyphens ({@code latest} is taken)
   */
  public record Target(Long revision, int percent, String tag) {
    public Target {
      if (revision != null && revision < 1) {
        throw new Failure.InvalidInput("traffic: revision " + revision + " (expected: a revision number >= 1, or latest)");
      }
      if (percent < 0 || percent > 100) {
        throw new Failure.InvalidInput("traffic: " + percent + " % for " + label(revision) + " (expected: 0 to 100)");
      }
      if (tag != null && (!TAG.matcher(tag).matches() || tag.equals("latest"))) {
        throw new Failure.InvalidInput("traffic: tag '" + tag + "' (expected: a lowercase letter, then up to 30 lowercase letters, "
            + "digits or hyphens; not 'latest')");
      }
    }

    public boolean latest() {
      return revision == null;
    }

    /** {@code 3} or {@code latest}. */
    public String label() {
      return label(revision);
    }

    private static String label(Long revision) {
      return revision == null ? "latest" : Long.toString(revision);
    }
  }

  public Traffic {
    if (targets == null || targets.isEmpty()) {
      throw new Failure.InvalidInput("traffic: no targets (expected at least one, e.g. latest=100)");
    }
    targets = List.copyOf(targets);
    int sum = 0;
    Set<String> seen = new HashSet<>();
    Set<String> tags = new HashSet<>();
    for (Target t : targets) {
      sum += t.percent();
      if (t.tag() == null && !seen.add(t.label())) {
        throw new Failure.InvalidInput("traffic: " + t.label() + " is named twice without a tag (give its shares as one)");
      }
      if (t.tag() != null && !tags.add(t.tag())) {
        throw new Failure.InvalidInput("traffic: tag '" + t.tag() + "' is used twice");
      }
    }
    if (sum != 100) {
      throw new Failure.InvalidInput("traffic: the shares add up to " + sum + " % (expected: 100)");
    }
  }

  /** Whether every call goes to the latest revision and no target has a tag: the default. */
  public boolean followsLatestOnly() {
    return targets.size() == 1 && targets.getFirst().latest() && targets.getFirst().tag() == null;
  }

  /**
   * The revision a call takes, for a uniform draw {@code u} in [0, 1): the targets' shares laid end
   * to end in the order given.
   */
  public long pick(double u, long latest) {
    int point = (int) Math.floor(u * 100);
    int end = 0;
    Target last = null;
    for (Target t : targets) {
      if (t.percent() == 0) {
        continue;
      }
      end += t.percent();
      last = t;
      if (point < end) {
        return resolve(t, latest);
      }
    }
    return resolve(last, latest); // u rounding at 1.0
  }

  /** The revision {@code tag} names, if a target has that tag. */
  public Optional<Long> tagged(String tag, long latest) {
    for (Target t : targets) {
      if (tag.equals(t.tag())) {
        return Optional.of(resolve(t, latest));
      }
    }
    return Optional.empty();
  }

  /** The revision that takes every call, if one does (the others, if any, have 0 %). */
  public java.util.OptionalLong sole(long latest) {
    List<Target> taking = targets.stream().filter(t -> t.percent() > 0).toList();
    return taking.size() == 1 ? java.util.OptionalLong.of(resolve(taking.getFirst(), latest)) : java.util.OptionalLong.empty();
  }

  /** The share revision {@code revision} takes, counting the {@code latest} targets as {@code latest}. */
  public int percentOf(long revision, long latest) {
    return targets.stream().filter(t -> resolve(t, latest) == revision).mapToInt(Target::percent).sum();
  }

  /** The share targets naming revision {@code revision} by its number give it ({@code latest} ones do not count). */
  public int percentByNumber(long revision) {
    return targets.stream().filter(t -> !t.latest() && t.revision() == revision).mapToInt(Target::percent).sum();
  }

  /** The numbered revisions this traffic names (the latest not among them unless numbered). */
  public List<Long> revisions() {
    List<Long> out = new ArrayList<>();
    for (Target t : targets) {
      if (t.revision() != null && !out.contains(t.revision())) {
        out.add(t.revision());
      }
    }
    return out;
  }

  /** {@code 3=90 latest=10 canary:4=0}: the form {@code pilotlight traffic} takes and shows. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Target t : targets) {
      if (!b.isEmpty()) {
        b.append(' ');
      }
      if (t.tag() != null) {
        b.append(t.tag()).append(':');
      }
      b.append(t.label()).append('=').append(t.percent());
    }
    return b.toString();
  }

  /**
   * Reads the form {@link #toString} writes: targets separated by spaces or commas, each
   * {@code [TAG:]REVISION=PERCENT} with {@code latest} for the latest revision.
   */
  public static Traffic parse(String text) {
    List<Target> targets = new ArrayList<>();
    for (String part : text.strip().split("[\\s,]+")) {
      if (part.isEmpty()) {
        continue;
      }
      targets.add(parseTarget(part));
    }
    return new Traffic(targets);
  }

  private static Target parseTarget(String part) {
    int eq = part.lastIndexOf('=');
    if (eq < 0) {
      throw new Failure.InvalidInput("traffic: '" + part + "' (expected: [TAG:]REVISION=PERCENT, e.g. 3=90, latest=10 or canary:4=0)");
    }
    String head = part.substring(0, eq);
    String tag = null;
    int colon = head.indexOf(':');
    if (colon >= 0) {
      tag = head.substring(0, colon);
      head = head.substring(colon + 1);
    }
    Long revision;
    if (head.equals("latest") || head.equals("$LATEST")) {
      revision = null;
    } else {
      revision = number(head, part, "a revision number or latest");
    }
    long percent = number(part.substring(eq + 1), part, "a whole percentage, 0 to 100");
    if (percent > 100) {
      throw new Failure.InvalidInput("traffic: " + percent + " % for " + head + " (expected: 0 to 100)");
    }
    return new Target(revision, (int) percent, tag);
  }

  private static long number(String s, String part, String expected) {
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(Character::isDigit)) {
      throw new Failure.InvalidInput("traffic: '" + part + "': '" + s + "' is not " + expected);
    }
    return Long.parseLong(s);
  }

  private static long resolve(Target t, long latest) {
    return t.revision() == null ? latest : t.revision();
  }
}
