package dev.pilotlight.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The Kafka poller's per-partition bookkeeping, with no broker: batches of one partition each, at
 * most one per partition at a time, fairness between partitions, rebalances, offsets to commit, which
 * partitions to stop fetching; and how many batches a mapping runs at once.
 */
class PartitionBatchesTest {
  static final TopicPartition P0 = new TopicPartition("t", 0);
  static final TopicPartition P1 = new TopicPartition("t", 1);
  static final TopicPartition P2 = new TopicPartition("t", 2);

  static ConsumerRecord<byte[], byte[]> r(TopicPartition tp, long offset) {
    return KafkaSourceTest.record(tp.topic(), tp.partition(), offset, null, tp.partition() + "-" + offset, TimestampType.CREATE_TIME,
        new RecordHeaders());
  }

  /** Records of {@code tp} at offsets {@code from} to {@code to} (excluded). */
  static List<ConsumerRecord<byte[], byte[]>> rs(TopicPartition tp, long from, long to) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (long o = from; o < to; o++) {
      out.add(r(tp, o));
    }
    return out;
  }

  /** A whole batch as the poller gathers it: the first record, then the rest of its partition (at most {@code max}). */
  static List<ConsumerRecord<byte[], byte[]>> batch(PartitionBatches b, int max) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    ConsumerRecord<byte[], byte[]> head = b.startBatch();
    if (head == null) {
      return out;
    }
    out.add(head);
    ConsumerRecord<byte[], byte[]> m;
    while (out.size() < max && (m = b.more()) != null) {
      out.add(m);
    }
    return out;
  }

  static List<String> shown(List<ConsumerRecord<byte[], byte[]>> batch) {
    return batch.stream().map(x -> x.partition() + "@" + x.offset()).toList();
  }

  static List<ConsumerRecord<byte[], byte[]>> interleaved(long perPartition, TopicPartition... tps) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (long o = 0; o < perPartition; o++) {
      for (TopicPartition tp : tps) {
        out.add(r(tp, o));
      }
    }
    return out;
  }

  @Test
  void aBatchHoldsRecordsOfOnePartitionInOffsetOrder() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    b.add(interleaved(3, P0, P1));
    assertThat(b.buffered()).isEqualTo(6);
    assertThat(shown(batch(b, 10))).containsExactly("0@0", "0@1", "0@2");
    assertThat(shown(batch(b, 10))).containsExactly("1@0", "1@1", "1@2");
    assertThat(b.buffered()).isZero();
    assertThat(b.startBatch()).isNull();
  }

  @Test
  void aPartitionWithABatchRunningGetsNoOtherUntilItEnds() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    b.add(rs(P0, 0, 4));
    assertThat(shown(batch(b, 2))).containsExactly("0@0", "0@1");
    assertThat(b.startBatch()).as("P0 runs a batch; P1 has nothing").isNull();
    assertThat(b.running()).isEqualTo(1);
    assertThat(b.running(List.of(P0))).isTrue();
    assertThat(b.running(List.of(P1))).isFalse();
    b.add(rs(P1, 0, 1));
    assertThat(shown(batch(b, 2))).containsExactly("1@0");
    assertThat(b.running()).as("P1's batch is being gathered yet").isEqualTo(1);
    b.ended(P0);
    assertThat(shown(batch(b, 2))).containsExactly("0@2", "0@3");
    assertThat(b.running()).as("P1's batch was dispatched").isEqualTo(1);
    assertThat(b.running(List.of(P1))).isTrue();
  }

  @Test
  void theBatchBeingGatheredDoesNotCountAsRunningUntilTheNextStarts() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    b.add(rs(P0, 0, 1));
    assertThat(b.startBatch()).isNotNull();
    assertThat(b.running()).isZero();
    assertThat(b.running(List.of(P0))).isFalse();
    assertThat(b.startBatch()).isNull(); // the batch of P0 was dispatched
    assertThat(b.running()).isEqualTo(1);
    assertThat(b.running(List.of(P0))).isTrue();
    b.ended(P0);
    assertThat(b.running()).isZero();
  }

  @Test
  void aBatchThatEndsBeforeTheNextStartsIsNoLongerCounted() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0));
    b.add(rs(P0, 0, 2));
    assertThat(batch(b, 1)).hasSize(1);
    b.ended(P0); // it ran on the poller's thread, and ended before the next startBatch
    assertThat(b.running()).isZero();
    assertThat(b.more()).as("the ended batch gathers nothing more").isNull();
    assertThat(shown(batch(b, 1))).containsExactly("0@1");
  }

  @Test
  void partitionsTakeTurnsTheLeastRecentlyBatchedFirst() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1, P2));
    b.add(interleaved(4, P0, P1, P2));
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      List<ConsumerRecord<byte[], byte[]>> got = batch(b, 2);
      order.add(got.getFirst().partition());
      b.ended(PartitionBatches.partition(got.getFirst()));
    }
    assertThat(order).containsExactly(0, 1, 2, 0, 1, 2);
  }

  @Test
  void aRevokedPartitionLosesItsRecordsAndOffsetsButStaysBusyUntilItsBatchEnds() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    b.add(rs(P0, 0, 4));
    b.add(rs(P1, 0, 2));
    assertThat(batch(b, 2)).hasSize(2); // P0 0-1
    assertThat(batch(b, 2)).hasSize(2); // P1 0-1
    b.startBatch(); // both dispatched; nothing else to start
    b.handled(P1, 2);
    b.revoke(List.of(P0));
    assertThat(b.assigned()).containsExactly(P1);
    assertThat(b.buffered()).isZero(); // P0's records 2-3 dropped
    assertThat(b.running(List.of(P0))).isTrue();
    b.handled(P0, 2); // the batch of P0 ends after P0 went: nothing to commit for it
    assertThat(b.toCommit(null)).isEqualTo(Map.of(P1, 2L));

    // given back before that batch ended: its records wait for it
    b.assign(List.of(P0));
    b.add(rs(P0, 0, 3));
    assertThat(b.startBatch()).isNull();
    b.ended(P0);
    assertThat(shown(batch(b, 5))).containsExactly("0@0", "0@1", "0@2");
  }

  @Test
  void theBatchBeingGatheredWhenItsPartitionIsRevokedEndsWithWhatItHas() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    b.add(rs(P0, 0, 4));
    assertThat(b.startBatch().offset()).isZero();
    b.revoke(List.of(P0));
    assertThat(b.gatheringTaken()).isTrue();
    assertThat(b.more()).isNull();
    assertThat(b.running(List.of(P0))).as("being gathered: not waited for").isFalse();
    assertThat(b.startBatch()).isNull();
    assertThat(b.running(List.of(P0))).as("dispatched: runs until it ends").isTrue();
    assertThat(b.gatheringTaken()).isFalse();
  }

  @Test
  void recordsAlreadyHandledAreNotKeptWhenFetchedAgain() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0));
    b.add(rs(P0, 0, 3));
    batch(b, 3);
    b.handled(P0, 3);
    b.ended(P0);
    b.add(rs(P0, 1, 5)); // a seek back would bring 1 and 2 again
    assertThat(shown(batch(b, 10))).containsExactly("0@3", "0@4");
  }

  @Test
  void whatIsHandledIsCommittedOnceAndOnlyForThePartitionsAsked() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    assertThat(b.toCommit(null)).isEmpty();
    b.handled(P0, 5);
    b.handled(P0, 3); // a smaller offset never moves it back
    b.handled(P1, 7);
    assertThat(b.toCommit(null)).isEqualTo(Map.of(P0, 5L, P1, 7L));
    assertThat(b.toCommit(List.of(P1))).isEqualTo(Map.of(P1, 7L));
    b.committed(Map.of(P1, 7L));
    assertThat(b.toCommit(null)).isEqualTo(Map.of(P0, 5L));
    b.committed(Map.of(P0, 5L));
    assertThat(b.toCommit(null)).isEmpty();
  }

  /** An asynchronous commit that failed is made again, unless a later one already covers its partition. */
  @Test
  void aFailedCommitIsMadeAgainUnlessALaterOneCoversIt() {
    PartitionBatches b = new PartitionBatches(100);
    b.assign(List.of(P0, P1));
    b.handled(P0, 5);
    b.handled(P1, 7);
    b.committed(Map.of(P0, 5L, P1, 7L));
    b.handled(P1, 9);
    b.committed(Map.of(P1, 9L));
    b.commitFailed(Map.of(P0, 5L, P1, 7L)); // told late: P1's later commit stands
    assertThat(b.toCommit(null)).isEqualTo(Map.of(P0, 5L));
  }

  @Test
  void aPartitionWithABatchsWorthFetchedIsFetchedNoMoreUntilItsBatchesTakeThem() {
    PartitionBatches b = new PartitionBatches(3);
    b.assign(List.of(P0, P1));
    b.add(rs(P0, 0, 3));
    b.add(rs(P1, 0, 2));
    assertThat(b.full()).containsExactly(P0);
    assertThat(b.nextUp(P0)).isZero();
    assertThat(batch(b, 1)).hasSize(1);
    assertThat(b.full()).isEqualTo(Set.of());
    assertThat(b.nextUp(P0)).isEqualTo(1L);
    assertThat(b.nextUp(P2)).isNull();
  }

  @Test
  void clearForgetsEverything() {
    PartitionBatches b = new PartitionBatches(3);
    b.assign(List.of(P0));
    b.add(rs(P0, 0, 3));
    batch(b, 1);
    b.handled(P0, 1);
    b.clear();
    assertThat(b.assigned()).isEmpty();
    assertThat(b.buffered()).isZero();
    assertThat(b.running()).isZero();
    assertThat(b.toCommit(null)).isEmpty();
    assertThatThrownBy(() -> new PartitionBatches(0)).hasMessage("bufferLimit: 0 (expected: >= 1)");
  }

  @Test
  void batchesInFlightAreOnePerAssignedPartitionUpToFive() {
    assertThat(KafkaPoller.inFlightFor(0)).isEqualTo(1);
    assertThat(KafkaPoller.inFlightFor(1)).isEqualTo(1);
    assertThat(KafkaPoller.inFlightFor(3)).isEqualTo(3);
    assertThat(KafkaPoller.inFlightFor(5)).isEqualTo(5);
    assertThat(KafkaPoller.inFlightFor(64)).isEqualTo(KafkaPoller.MAX_IN_FLIGHT);
  }
}
