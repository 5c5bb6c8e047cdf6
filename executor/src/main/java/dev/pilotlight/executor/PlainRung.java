package dev.pilotlight.executor;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The bottom rung: a new process with the plain command; serves every deployment, never declines. */
final class PlainRung implements Rung {
  private final InstanceStarts starts;

  PlainRung(InstanceStarts starts) {
    this.starts = starts;
  }

  @Override
  public LaunchRung rung() {
    return LaunchRung.PLAIN;
  }

  @Override
  public boolean blocks() {
    return true;
  }

  @Override
  public Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest r) {
    return Optional.of(r.lambdaStyle()
        ? starts.newLambdaProcess(r, LaunchRung.PLAIN, r.command())
        : starts.newHttpProcess(r, LaunchRung.PLAIN, Map.of()));
  }
}
