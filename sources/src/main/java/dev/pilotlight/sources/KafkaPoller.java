package dev.pilotlight.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pilotlight.model.source.EventSourceMapping;
import dev.pilotlight.model.source.MappingStore;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka mapping's poller ({@link BatchPoller} does the batching, retries and backoff): a consumer of
 * its own in the mapping's consumer group (the mapping's uuid unless the source names one), with
 * automatic commits off.
 *
 * <p><b>Concurrency per partition</b>, as Lambda's self-managed Kafka: a batch holds records of one
 * partition, in offset order, and each partition has at most one batch at a time, so its records
 * reach the function in order; batches of different partitions run at once, one per partition that
 * has records, at most {@link #MAX_IN_FLIGHT} per mapping ({@link #inFlightFor}). A partition whose
 * batch fails waits for its retries (order); the others go on. {@link PartitionBatches} keeps that
 * bookkeeping.
 *
 * <p><b>One thread for the consumer</b>: Kafka's consumer is not thread-safe, so every call on it
 * (poll, commit, pause and resume, position, the rebalance callbacks) is made on the poller's thread.
 * A batch running on a thread of its own only hands back "handled up to offset X of partition P" and
 * "ended" through a queue ({@link #settled}); the poller's thread takes them between polls and commits
 * them with {@code commitAsync}, so a partition's next batch starts while the last one's offset
 * travels (a commit that fails is made again at the next settle; one connection's commits reach the
 * broker in order, and the offsets only grow), and with {@code commitSync} when partitions are taken
 * away or the poller leaves, so the broker has every handled offset before they go. While batches run the
 * consumer is polled at most {@link #POLL_SLICE_NANOS} at a time, so that a partition whose batch
 * ended gets its next one soon. A partition holding a batch's worth of records fetched and not yet
 * batched is paused at the consumer (fetched no more) until its batches take them.
 *
 * <p>Offsets are committed only after a batch succeeded or was kept in the failures list. Partitions
 * are assigned cooperatively (a rebalance takes away only what moves); when one is taken away, its
 * batch running (if any) is waited for, what was handled of it is committed, and what was fetched of
 * it but not handled is dropped (its new owner reads it from the committed offset), with the batch
 * being gathered of it, if any: once a partition is given up, no batch of it runs here. The queue depth is
 * the consumer lag summed over the assigned partitions. A pause leaves the group; the resume joins
 * again at the committed offsets.
 *
 * <p>The event is Lambda's for self-managed Apache Kafka: {@code {"eventSource":"SelfManagedKafka",
 * "bootstrapServers":"h1:9092,h2:9092","records":{"TOPIC-PARTITION":[{"topic","partition","offset",
 * "timestamp","timestampType","key" (base64; absent when null),"value" (base64; null for a
 * tombstone),"headers":[{"NAME":[byte values 0-255]}]}]}}}.
 */
final class KafkaPoller extends BatchPoller<ConsumerRecord<byte[], byte[]>> {
  private static final Duration CHECK_TIMEOUT = KafkaClients.CHECK_TIMEOUT;
  private static final Duration CALL_TIMEOUT = KafkaClients.CALL_TIMEOUT;
  private static final long DEPTH_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long DEPTH_BUSY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The longest poll while batches run: how long a partition whose batch ended may wait to be looked at again. */
  static final long POLL_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** The most batches of one mapping that run at once (one per partition: see {@link #inFlightFor}). */
  static final int MAX_IN_FLIGHT = 5;

  static {
    // the client's own logging is chatty (every consumer prints its whole configuration, a broker that
    // is down a warning per connection attempt); the poller reports problems itself (state, lastError,
    // a SOURCE line). slf4j-simple reads this when a logger is made; one set by the operator wins.
    String key = "org.slf4j.simpleLogger.log.org.apache.kafka";
    if (System.getProperty(key) == null) {
      System.setProperty(key, "error");
    }
  }

  private final KafkaSource source;
  private final String group;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile Thread owner;
  /** How many partitions are assigned (read by {@link #maxInFlight}). */
  private volatile int assignedCount;
  /** What batches hand back to the poller's thread: handled up to an offset, or ended. */
  private final LinkedBlockingQueue<Settled> settled = new LinkedBlockingQueue<>();
  // the fields below are the poller thread's alone (the consumer calls the rebalance listener on it, in poll)
  private final PartitionBatches partitions;
  private long askedAt;

  /** A batch's word to the poller's thread: records of {@code partition} before {@code next} handled; -1: the batch ended. */
  private record Settled(TopicPartition partition, long next) {}

  KafkaPoller(EventSourceMapping mapping, EventInvoker invoker, MappingStore store, InstantSource clock, EventSources.Log log) {
    super(mapping, invoker, store, clock, log);
    this.source = KafkaSource.parse(mapping.source());
    this.group = KafkaClients.group(source, mapping.uuid());
    this.partitions = new PartitionBatches(mapping.batchSize());
  }

  // ---- BatchPoller ------------------------------------------------------------------------------

  @Override
  String shown() {
    return source.toString();
  }

  @Override
  JsonNode matchView(ConsumerRecord<byte[], byte[]> m) {
    return KafkaEvents.filterView(m);
  }

  @Override
  byte[] event(List<ConsumerRecord<byte[], byte[]>> batch) {
    return KafkaEvents.event(source, batch);
  }

  @Override
  void consume() throws Exception {
    partitions.clear();
    settled.clear();
    assignedCount = 0;
    KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
        KafkaClients.consumerProperties(source, group, "pilotlight-" + mapping.uuid().substring(0, 8), mapping.batchSize()), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    owner = Thread.currentThread();
    consumer = c;
    if (closed) {
      return;
    }
    List<PartitionInfo> parts;
    try {
      parts = c.partitionsFor(source.topic(), CHECK_TIMEOUT);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IOException("the Kafka broker at " + source.bootstrap() + " does not answer (" + e.getMessage() + ")");
    }
    if (parts == null || parts.isEmpty()) {
      throw new IOException("topic '" + source.topic() + "' does not exist at " + source.bootstrap());
    }
    c.subscribe(List.of(source.topic()), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        // a batch of these partitions running on its own thread ends first (as when batches ran on this
        // thread, between two polls); what was handled is committed before they go; what was fetched and
        // not handled is dropped: the next owner reads it from there. A batch being gathered on this
        // thread (this callback runs inside its poll) is dropped unrun (stillHeld). So once this returns
        // no batch of theirs runs here, and none starts.
        try {
          while (!closed && !Thread.currentThread().isInterrupted() && partitions.running(revoked)) {
            settle(TimeUnit.MILLISECONDS.toNanos(100));
          }
          settle(0);
          commit(revoked, true);
        } catch (RuntimeException e) {
          log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": could not commit the offsets of partitions given back ("
              + describe(e) + "); their last records may be read again");
        }
        partitions.revoke(revoked);
        assignedCount = partitions.assigned().size();
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> lost) {
        partitions.revoke(lost); // no longer ours: nothing can be committed for them
        assignedCount = partitions.assigned().size();
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        partitions.assign(assigned);
        assignedCount = partitions.assigned().size();
      }
    });
    askedAt = 0;
    pump(this::first, this::more);
  }

  /**
   * A batch's first record: the next one of the least recently batched partition that has no batch
   * running; polls the consumer (on this thread) until there is one, or {@code nanos} passed.
   */
  private ConsumerRecord<byte[], byte[]> first(long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (true) {
      settle(0);
      ConsumerRecord<byte[], byte[]> r = partitions.startBatch();
      if (r != null) {
        return r;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      fetch(left);
    }
  }

  /** The batch's next record: of its partition only, polling the consumer up to {@code nanos} while none is fetched. */
  private ConsumerRecord<byte[], byte[]> more(long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (true) {
      ConsumerRecord<byte[], byte[]> r = partitions.more();
      if (r != null || partitions.gatheringTaken()) {
        return r;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      settle(0);
      fetch(left);
    }
  }

  /** Polls once, up to {@code nanos} (a slice of it while batches run), with the partitions whose buffer is full paused. */
  private void fetch(long nanos) {
    KafkaConsumer<byte[], byte[]> c = consumer;
    Set<TopicPartition> full = partitions.full();
    Set<TopicPartition> paused = c.paused();
    if (!paused.equals(full)) {
      Set<TopicPartition> resume = new HashSet<>(paused);
      resume.removeAll(full);
      Set<TopicPartition> pause = new HashSet<>(full);
      pause.removeAll(paused);
      pause.retainAll(c.assignment());
      c.resume(resume);
      c.pause(pause);
    }
    long wait = partitions.running() > 0 ? Math.min(nanos, POLL_SLICE_NANOS) : nanos;
    partitions.add(c.poll(Duration.ofNanos(wait)));
  }

  /**
   * Takes what batches handed back (waiting up to {@code nanos} for the first), then commits what was
   * handled and not committed yet.
   */
  private void settle(long nanos) {
    Settled s;
    try {
      s = nanos > 0 ? settled.poll(nanos, TimeUnit.NANOSECONDS) : settled.poll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    for (; s != null; s = settled.poll()) {
      if (s.next() < 0) {
        partitions.ended(s.partition());
      } else {
        partitions.handled(s.partition(), s.next());
      }
    }
    try {
      commit(null, false);
    } catch (RebalanceInProgressException e) {
      // committed when the rebalance revokes the partitions (the listener), or next time
    }
  }

  /**
   * Commits what was handled and not yet committed of {@code only} (all: null): at once and waiting
   * for the broker when partitions go or the poller leaves ({@code sync}), else without waiting, so
   * the next batch of a partition starts while its last batch's offset travels (a commit that fails
   * is made again at the next settle; the broker takes one connection's commits in order, so a later
   * one never goes back).
   */
  private void commit(Collection<TopicPartition> only, boolean sync) {
    // synchronous: every handled offset again, marked committed or not (an asynchronous commit of it
    // may still travel, or have failed unseen); asynchronous: only what moved since the last commit
    Map<TopicPartition, Long> out = sync ? partitions.handledOf(only) : partitions.toCommit(only);
    if (out.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    out.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
    if (sync) {
      consumer.commitSync(offsets, CALL_TIMEOUT);
      partitions.committed(out);
    } else {
      partitions.committed(out); // before the call: a failure told at once must not be overwritten
      // the callback runs on this thread, inside a later poll or commit
      consumer.commitAsync(offsets, (done, failure) -> {
        if (failure != null) {
          partitions.commitFailed(out);
        }
      });
    }
  }

  /**
   * One batch per partition that has records, at most {@link #MAX_IN_FLIGHT}: every partition with a
   * backlog has a batch running, so one partition's slow or failing batch does not hold the others
   * back (Lambda's self-managed Kafka grows to one consumer per partition with the lag). A partition
   * with nothing waiting has no batch, so the batches running follow the backlog by themselves.
   */
  @Override
  int maxInFlight() {
    return inFlightFor(assignedCount);
  }

  static int inFlightFor(int assignedPartitions) {
    return Math.clamp(assignedPartitions, 1, MAX_IN_FLIGHT);
  }

  @Override
  void checkOpen() {
    // Kafka's client reconnects by itself; a broker that stopped answering is found by housekeep's
    // round trip (a timeout is thrown), and a failed commit throws from settle
  }

  /** Hands the batch's last offset to the poller's thread, which commits it (the consumer is its alone). */
  @Override
  void ack(List<ConsumerRecord<byte[], byte[]>> all) {
    ConsumerRecord<byte[], byte[]> last = all.getLast(); // a batch is of one partition, in offset order
    settled.add(new Settled(PartitionBatches.partition(last), last.offset() + 1));
  }

  /** A batch whose partition was taken away while it was gathered is not run: its next owner reads its records. */
  @Override
  boolean stillHeld(List<ConsumerRecord<byte[], byte[]>> batch) {
    return !partitions.gatheringTaken();
  }

  @Override
  void ended(List<ConsumerRecord<byte[], byte[]>> all) {
    settled.add(new Settled(PartitionBatches.partition(all.getFirst()), -1));
  }

  @Override
  void housekeep(boolean afterBatch) throws IOException {
    if (System.nanoTime() - askedAt <= (afterBatch ? DEPTH_BUSY_NANOS : DEPTH_IDLE_NANOS)) {
      return;
    }
    askedAt = System.nanoTime();
    KafkaConsumer<byte[], byte[]> c = consumer;
    try {
      settle(0);
      Set<TopicPartition> assigned = c.assignment();
      if (assigned.isEmpty()) {
        // not (yet) given partitions: a round trip all the same, so that a broker that went away is noticed
        List<PartitionInfo> parts = c.partitionsFor(source.topic(), CHECK_TIMEOUT);
        if (parts == null || parts.isEmpty()) {
          throw new IOException("topic '" + source.topic() + "' does not exist at " + source.bootstrap());
        }
        c.endOffsets(parts.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList(), CHECK_TIMEOUT);
        queueDepth = -1;
        return;
      }
      Map<TopicPartition, Long> ends = c.endOffsets(assigned, CHECK_TIMEOUT);
      long lag = 0;
      for (TopicPartition tp : assigned) {
        Long end = ends.get(tp);
        if (end == null) {
          queueDepth = -1;
          return;
        }
        Long from = partitions.nextUp(tp);
        lag += Math.max(0, end - (from != null ? from : c.position(tp, CHECK_TIMEOUT)));
      }
      queueDepth = lag;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new IOException("the Kafka broker at " + source.bootstrap() + " does not answer (" + e.getMessage() + ")");
    }
  }

  @Override
  void disconnect() {
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c == null) {
      return;
    }
    if (Thread.currentThread() != owner) {
      c.wakeup(); // the consumer is its thread's alone: it closes itself there once poll returns
      return;
    }
    boolean interrupted = Thread.interrupted(); // close (and the commits) would give up at once
    try {
      settle(0); // the batches that ended since the last poll (a pause waits for all of them to end)
      commit(null, true); // and the broker has every offset handled before the consumer goes
    } catch (RuntimeException e) {
      // their records are read again
    }
    consumer = null;
    try {
      c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    } catch (RuntimeException ignored) {
      // gone already
    } finally {
      partitions.clear();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Deletes the mapping's own consumer group (named after its uuid) once its consumer has left, best
   * effort, in the background; a group the source named is left alone (it may be shared or reused).
   */
  @Override
  public void forget() {
    if (source.group() != null) {
      return;
    }
    Thread.ofVirtual().name("source-forget-" + mapping.uuid().substring(0, 8)).start(() -> {
      awaitStopped(15_000);
      try (Admin admin = Admin.create(KafkaClients.adminProperties(source))) {
        admin.deleteConsumerGroups(List.of(group)).all().get(CHECK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.line(mapping.function(), "SOURCE " + mapping.uuid() + ": could not delete consumer group " + group + " at " + source.bootstrap()
            + " (" + describe(e) + ")");
      }
    });
  }
}
