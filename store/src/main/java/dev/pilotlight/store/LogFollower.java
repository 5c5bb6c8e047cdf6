package dev.pilotlight.store;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * One {@link LogStore#follow} subscription: a bounded queue filled by appends and drained by a
 * virtual thread that calls the consumer. Appends only ever {@link #offer}, so a slow or broken
 * consumer costs them nothing; it is dropped instead.
 */
final class LogFollower implements LogStore.Subscription {
  private final Consumer<String> onLine;
  private final BlockingQueue<String> backlog;
  private final Consumer<LogFollower> unsubscribe;
  private final Thread deliverer;
  private volatile boolean closed;

  LogFollower(String function, Consumer<String> onLine, int backlog, Consumer<LogFollower> unsubscribe) {
    this.onLine = onLine;
    this.backlog = new ArrayBlockingQueue<>(backlog);
    this.unsubscribe = unsubscribe;
    this.deliverer = Thread.ofVirtual().name("log-follow-" + function).start(this::deliver);
  }

  /** Queues a line; false (and the follower dropped) if it is too far behind or closed. */
  boolean offer(String line) {
    if (closed) {
      return false;
    }
    if (!backlog.offer(line)) {
      close();
      return false;
    }
    return true;
  }

  private void deliver() {
    try {
      while (!closed) {
        String line = backlog.take();
        if (closed) {
          return;
        }
        onLine.accept(line);
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException | Error e) {
      // A consumer that throws is dropped; the log and other followers go on.
      close();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    unsubscribe.accept(this);
    if (Thread.currentThread() != deliverer) {
      deliverer.interrupt();
    }
  }
}
