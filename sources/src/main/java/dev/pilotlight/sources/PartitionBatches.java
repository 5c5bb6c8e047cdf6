package dev.pilotlight.sources;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What a Kafka poller holds per assigned partition, with no consumer: the records fetched and not
 * yet in a batch, whether a batch of the partition is being gathered or runs, the offset handled and
 * the offset committed. It keeps the rule that makes batches of several partitions safe to run at
 * once: a batch holds records of one partition, in offset order, and a partition has at most one
 * batch at a time (gathered, or running until {@link #ended}), so each partition's records reach the
 * function in order while other partitions go on. Used by the poller's thread alone.
 *
 * <p>A partition goes idle → gathering ({@link #startBatch}) → running (the next {@code startBatch}:
 * the batch gathered before was dispatched) → idle ({@link #ended}). A partition taken away in a
 * rebalance loses its buffer, handled and committed offsets at once, but stays busy until its batch
 * ends: were it given back meanwhile, its next batch still waits for the one running.
 */
final class PartitionBatches {
  /** A partition holding this many records or more is not fetched from until its batches take them. */
  private final int bufferLimit;
  /** The records fetched and not yet in a batch, per assigned partition, the least recently batched first. */
  private final LinkedHashMap<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers = new LinkedHashMap<>();
  /** Partitions with a batch being gathered or running (assigned or not: see the class comment). */
  private final Set<TopicPartition> busy = new HashSet<>();
  /** The offset after the last record handled (succeeded, given up on or filtered out), per assigned partition. */
  private final Map<TopicPartition, Long> handled = new HashMap<>();
  /** The offset last committed by this consumer, per assigned partition. */
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private TopicPartition gathering;
  private boolean gatheringTaken;
  private int buffered;

  PartitionBatches(int bufferLimit) {
    if (bufferLimit < 1) {
      throw new IllegalArgumentException("bufferLimit: " + bufferLimit + " (expected: >= 1)");
    }
    this.bufferLimit = bufferLimit;
  }

  static TopicPartition partition(ConsumerRecord<?, ?> r) {
    return new TopicPartition(r.topic(), r.partition());
  }

  /** Forgets everything (a new consumer). */
  void clear() {
    buffers.clear();
    busy.clear();
    handled.clear();
    committed.clear();
    gathering = null;
    gatheringTaken = false;
    buffered = 0;
  }

  void assign(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      buffers.putIfAbsent(tp, new ArrayDeque<>());
    }
  }

  /**
   * {@code partitions} are no longer this consumer's: their records fetched and not in a batch are
   * dropped (their next owner reads them from the committed offset) and their offsets forgotten; a
   * batch of theirs running stays busy until it ends, and one being gathered gets no more records.
   */
  void revoke(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      ArrayDeque<ConsumerRecord<byte[], byte[]>> b = buffers.remove(tp);
      if (b != null) {
        buffered -= b.size();
      }
      handled.remove(tp);
      committed.remove(tp);
      if (tp.equals(gathering)) {
        gatheringTaken = true;
      }
    }
  }

  Set<TopicPartition> assigned() {
    return buffers.keySet();
  }

  /** Keeps what {@code poll} returned, but for records already handled (fetched again after a partition came back). */
  void add(Iterable<ConsumerRecord<byte[], byte[]>> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = partition(r);
      Long done = handled.get(tp);
      if (done != null && r.offset() < done) {
        continue;
      }
      buffers.computeIfAbsent(tp, k -> new ArrayDeque<>()).add(r);
      buffered++;
    }
  }

  /**
   * Starts a batch: the first record of the least recently batched partition that is idle and has
   * records, now busy; null when there is none. The batch gathered before this call was dispatched.
   */
  ConsumerRecord<byte[], byte[]> startBatch() {
    gathering = null;
    gatheringTaken = false;
    for (Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e : buffers.entrySet()) {
      TopicPartition tp = e.getKey();
      if (!busy.contains(tp) && !e.getValue().isEmpty()) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> b = buffers.remove(tp);
        buffers.put(tp, b); // now the most recently batched: the others come first next time
        busy.add(tp);
        gathering = tp;
        buffered--;
        return b.poll();
      }
    }
    return null;
  }

  /** The next record for the batch being gathered: of its partition only; null when none is fetched, or the partition was taken away. */
  ConsumerRecord<byte[], byte[]> more() {
    if (gathering == null || gatheringTaken) {
      return null;
    }
    ConsumerRecord<byte[], byte[]> r = buffers.get(gathering).poll();
    if (r != null) {
      buffered--;
    }
    return r;
  }

  /** Whether the batch being gathered lost its partition (it ends, and is dropped unrun). */
  boolean gatheringTaken() {
    return gatheringTaken;
  }

  /** Records of {@code tp} before {@code next} were handled: committed next time, unless the partition is no longer assigned. */
  void handled(TopicPartition tp, long next) {
    if (buffers.containsKey(tp)) {
      handled.merge(tp, next, Math::max);
    }
  }

  /** The batch of {@code tp} ended: the partition may have another. */
  void ended(TopicPartition tp) {
    busy.remove(tp);
    if (tp.equals(gathering)) {
      gathering = null;
    }
  }

  /** Whether a batch of one of {@code partitions} runs (dispatched, not ended; the one being gathered does not count). */
  boolean running(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      if (busy.contains(tp) && !tp.equals(gathering)) {
        return true;
      }
    }
    return false;
  }

  /** How many batches run (dispatched, not ended). */
  int running() {
    return busy.size() - (gathering != null && busy.contains(gathering) ? 1 : 0);
  }

  /** The offsets handled and not committed yet, of {@code partitions} (all: null). */
  Map<TopicPartition, Long> toCommit(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> out = new HashMap<>();
    handled.forEach((tp, offset) -> {
      if ((partitions == null || partitions.contains(tp)) && !offset.equals(committed.get(tp))) {
        out.put(tp, offset);
      }
    });
    return out;
  }

  /**
   * Every handled offset of {@code partitions} (all: null), committed or not: what a synchronous
   * commit gives the broker before partitions go, whatever asynchronous commits are still travelling
   * or failed unseen.
   */
  Map<TopicPartition, Long> handledOf(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> out = new HashMap<>();
    handled.forEach((tp, offset) -> {
      if (partitions == null || partitions.contains(tp)) {
        out.put(tp, offset);
      }
    });
    return out;
  }

  void committed(Map<TopicPartition, Long> offsets) {
    offsets.forEach((tp, offset) -> {
      if (buffers.containsKey(tp)) {
        committed.put(tp, offset);
      }
    });
  }

  /**
   * A commit of {@code offsets} failed (an asynchronous one, told after later ones may have been
   * made): a partition whose last commit was that offset is committed again next time.
   */
  void commitFailed(Map<TopicPartition, Long> offsets) {
    offsets.forEach((tp, offset) -> committed.remove(tp, offset));
  }

  /** The partitions whose buffer is full: not to be fetched from until it empties below {@code bufferLimit}. */
  Set<TopicPartition> full() {
    Set<TopicPartition> out = new HashSet<>();
    buffers.forEach((tp, b) -> {
      if (b.size() >= bufferLimit) {
        out.add(tp);
      }
    });
    return out;
  }

  /** The offset of the next record of {@code tp} fetched and not in a batch; null if none is. */
  Long nextUp(TopicPartition tp) {
    ArrayDeque<ConsumerRecord<byte[], byte[]>> b = buffers.get(tp);
    ConsumerRecord<byte[], byte[]> r = b == null ? null : b.peek();
    return r == null ? null : r.offset();
  }

  /** How many records are fetched and not in a batch. */
  int buffered() {
    return buffered;
  }
}
