package dev.pilotlight.model.release;

import java.util.List;
import java.util.Optional;

/**
 * A function's release settings, its traffic split and its aliases, and the one pure decision they
 * make: which revision a call runs. The draw {@code u} (uniform in [0, 1)) is an argument, so tests
 * choose it.
 */
public record Releases(Traffic traffic, List<Alias> aliases) {
  /** No split, no alias: every call runs the latest revision. */
  public static final Releases NONE = new Releases(Traffic.LATEST, List.of());

  public Releases {
    traffic = traffic == null ? Traffic.LATEST : traffic;
    aliases = List.copyOf(aliases);
  }

  public boolean isDefault() {
    return traffic.followsLatestOnly() && aliases.isEmpty();
  }

  public Optional<Alias> alias(String name) {
    for (Alias a : aliases) {
      if (a.name().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /**
   * The revision a call with {@code qualifier} runs: {@code $LATEST} or {@code latest}, a revision
   * number, an alias, or a traffic tag (in that order); empty when the qualifier names none of them.
   * Whether a numbered revision still exists is the caller's to check.
   */
  public Optional<Long> resolve(String qualifier, long latest, double u) {
    if (qualifier.equals("$LATEST") || qualifier.equals("latest")) {
      return Optional.of(latest);
    }
    if (!qualifier.isEmpty() && qualifier.length() <= 18 && qualifier.chars().allMatch(Character::isDigit)) {
      long n = Long.parseLong(qualifier);
      return n >= 1 ? Optional.of(n) : Optional.empty();
    }
    Optional<Alias> a = alias(qualifier);
    if (a.isPresent()) {
      return Optional.of(a.get().pick(u, latest));
    }
    return traffic.tagged(qualifier, latest);
  }

  public Releases withTraffic(Traffic t) {
    return new Releases(t, aliases);
  }

  /** With {@code a} added, or in place of the alias of the same name. */
  public Releases withAlias(Alias a) {
    List<Alias> next = new java.util.ArrayList<>(aliases.stream().filter(x -> !x.name().equals(a.name())).toList());
    next.add(a);
    next.sort(java.util.Comparator.comparing(Alias::name));
    return new Releases(traffic, next);
  }

  public Releases withoutAlias(String name) {
    return new Releases(traffic, aliases.stream().filter(x -> !x.name().equals(name)).toList());
  }

  /** Whether the traffic or an alias names revision {@code n} (it must not be deleted then). */
  public Optional<String> usesRevision(long n) {
    if (traffic.revisions().contains(n)) {
      return Optional.of("the traffic split (" + traffic + ")");
    }
    for (Alias a : aliases) {
      if (Long.valueOf(n).equals(a.revision()) || Long.valueOf(n).equals(a.additionalRevision())) {
        return Optional.of("alias '" + a.name() + "'");
      }
    }
    return Optional.empty();
  }
}
