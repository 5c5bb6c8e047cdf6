package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pilotlight.model.source.EventSourceMapping;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The batching loop against an in-memory broker that, like a real one, delivers again what a
 * connection left unacknowledged when it closes.
 */
class BatchPollerTest {

  /**
   * A batch given up on mid-retry by a pause (not acknowledged) while the mapping is resumed before
   * the loop looks again: the loop must not run and acknowledge the next message past it (with
   * Kafka's offsets or RabbitMQ's contiguous acknowledgements the first would be skipped for good);
   * it connects anew, and the broker delivers the first again, before the second.
   */
  @Test
  void aBatchEndedUnacknowledgedIsDeliveredAgainBeforeAnythingAfterItIsAcknowledged() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<String> invoked = new CopyOnWriteArrayList<>();
    EventInvoker invoker = (function, requestId, payload) -> {
      invoked.add(new String(payload, StandardCharsets.UTF_8));
      // the first call fails, so the batch waits to retry; every other call succeeds
      return CompletableFuture.completedFuture(calls.getAndIncrement() == 0 ? new EventInvoker.Outcome("boom") : EventInvoker.Outcome.OK);
    };
    EventSourceMapping mapping = new EventSourceMapping("0123abcd-u1", "f", "mem://q", 1, Duration.ZERO, 2, null, List.of(), true, Instant.EPOCH);
    MemoryPoller poller = new MemoryPoller(mapping, invoker, List.of("m1", "m2"));
    poller.start();
    try {
      // while the first batch waits to retry, the mapping is paused: the retry is not made, the batch
      // ends unacknowledged; the mapping is resumed at once, before the loop looks at it again
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (calls.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      poller.resumeWhenEnded = true;
      poller.enable(false);
      while (poller.acked.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    } finally {
      poller.close();
    }
    assertThat(poller.acked).as("acknowledged, in order; invoked: %s", invoked).containsExactly("m1", "m2");
    assertThat(poller.connections.get()).as("connected anew after the unacknowledged batch").isGreaterThanOrEqualTo(2);
  }

  /** A broker of one queue: what a connection took and did not acknowledge goes back to the head when it closes. */
  static final class MemoryPoller extends BatchPoller<String> {
    final LinkedBlockingDeque<String> queue = new LinkedBlockingDeque<>();
    final List<String> unacked = new ArrayList<>();
    final List<String> acked = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    volatile boolean resumeWhenEnded;

    MemoryPoller(EventSourceMapping mapping, EventInvoker invoker, List<String> messages) {
      super(mapping, invoker, null, Clock.systemUTC(), (function, message) -> {});
      queue.addAll(messages);
    }

    @Override
    String shown() {
      return "mem://q";
    }

    @Override
    void consume() throws Exception {
      connections.incrementAndGet();
      pump(nanos -> {
        String m = queue.poll(nanos, TimeUnit.NANOSECONDS);
        if (m != null) {
          synchronized (unacked) {
            unacked.add(m);
          }
        }
        return m;
      });
    }

    @Override
    void disconnect() {
      synchronized (unacked) {
        for (int i = unacked.size() - 1; i >= 0; i--) {
          queue.addFirst(unacked.get(i));
        }
        unacked.clear();
      }
    }

    @Override
    void checkOpen() {}

    @Override
    void ack(List<String> all) {
      synchronized (unacked) {
        unacked.removeAll(all);
      }
      acked.addAll(all);
    }

    @Override
    void ended(List<String> all) {
      if (resumeWhenEnded) {
        resumeWhenEnded = false;
        enable(true); // on the poller's thread, before its loop looks at the mapping again
      }
    }

    @Override
    JsonNode matchView(String m) {
      return JsonNodeFactory.instance.textNode(m);
    }

    @Override
    byte[] event(List<String> batch) {
      return String.join(",", batch).getBytes(StandardCharsets.UTF_8);
    }
  }
}
