package dev.pilotlight.executor;

import dev.pilotlight.model.Deployment;
import dev.pilotlight.model.Failure;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A rung that claims, declines or fails as told, and records on which thread it was asked and what it prepared. */
final class FakeRung implements Rung {
  enum Answer { CLAIM, DECLINE, FAIL, THROW }

  private final LaunchRung rung;
  private final boolean blocks;
  private final boolean fallsThrough;
  private volatile Answer answer;
  final List<String> askedOn = new CopyOnWriteArrayList<>();
  final List<String> prepared;

  FakeRung(LaunchRung rung, boolean blocks, boolean fallsThrough, Answer answer, List<String> prepared) {
    this.rung = rung;
    this.blocks = blocks;
    this.fallsThrough = fallsThrough;
    this.answer = answer;
    this.prepared = prepared;
  }

  FakeRung(LaunchRung rung, boolean blocks, Answer answer) {
    this(rung, blocks, false, answer, new CopyOnWriteArrayList<>());
  }

  @Override
  public LaunchRung rung() {
    return rung;
  }

  @Override
  public boolean blocks() {
    return blocks;
  }

  @Override
  public boolean fallsThrough() {
    return fallsThrough;
  }

  @Override
  public Optional<CompletableFuture<ProcessInstance>> claim(LaunchRequest r) {
    askedOn.add(Thread.currentThread().getName());
    return switch (answer) {
      case DECLINE -> Optional.empty();
      case CLAIM -> Optional.of(CompletableFuture.completedFuture(
          new HttpProcessInstance(r.id(), r.deployment(), Duration.ZERO, rung.id(), new InetSocketAddress("127.0.0.1", 1))));
      case FAIL -> Optional.of(CompletableFuture.failedFuture(new Failure.InstanceFailed(rung.id() + " could not start " + r.id())));
      case THROW -> throw new Failure.InstanceFailed(rung.id() + " broke");
    };
  }

  @Override
  public void prepare(Deployment d) {
    prepared.add(rung.id());
  }
}
