package dev.pilotlight.sources;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What a Kafka mapping's clients are made with (the admin client's and the consumer's properties,
 * SASL and TLS from the source), and the check made when a mapping is created: the broker reached
 * with the source's credentials, the topic there, and for {@code start=latest} the group's offsets
 * pinned at the topic's end. For {@link KafkaPoller} and {@link EventSources}.
 */
final class KafkaClients {
  /** How long a check at creation, and a lag or metadata call, waits for the broker. */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
  /** How long the consumer's own calls (commits, close) wait. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private KafkaClients() {}

  /** The consumer group: the one the source names, else the mapping's uuid (as on Lambda). */
  static String group(KafkaSource s, String uuid) {
    return s.group() != null ? s.group() : uuid;
  }

  private static Properties common(KafkaSource s, String clientId) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, s.securityProtocol());
    if (s.sasl() != null) {
      p.put(SaslConfigs.SASL_MECHANISM, s.sasl());
      String module = s.sasl().equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
          : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaas(s.user()) + "\" password=\"" + jaas(s.password()) + "\";");
    }
    return p;
  }

  private static String jaas(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static Properties adminProperties(KafkaSource s) {
    Properties p = common(s, "pilotlight-admin");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
    return p;
  }

  static Properties consumerProperties(KafkaSource s, String group, String clientId, int batchSize) {
    Properties p = common(s, clientId);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // a group without a committed offset for a partition starts at its beginning: at creation a
    // "latest" mapping commits the topic's end for its group (check), so this only applies to
    // partitions added later, or whose offsets the broker dropped (offsets.retention.minutes)
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, batchSize);
    // a batch (the function's run, its retries and their backoff) happens between two polls
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
    p.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, (int) Duration.ofMinutes(31).toMillis()); // not closed under a long batch
    // a daemon that died is noticed by the group within 10 s, so its successor gets the partitions soon
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
    return p;
  }

  /**
   * At creation: the broker answers, accepts the credentials and has the topic; for {@code
   * start=latest}, the topic's end offsets are committed for the group on every partition it has no
   * offset for yet, so that records produced after the mapping was created are all read however long
   * the poller takes to join (Lambda warns that LATEST can miss records produced while the mapping is
   * being created; here it cannot). A group that already has offsets goes on from them.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static void check(KafkaSource s, String group) {
    String where = "the Kafka broker at " + s.bootstrap();
    Admin admin = Admin.create(adminProperties(s));
    try {
      TopicDescription d;
      try {
        d = admin.describeTopics(List.of(s.topic())).allTopicNames().get(CHECK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).get(s.topic());
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof UnknownTopicOrPartitionException) {
          throw new IllegalArgumentException("topic '" + s.topic() + "' does not exist at " + s.bootstrap());
        }
        throw refused(s, where, c);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalArgumentException("cannot reach " + where + " (no answer in " + CHECK_TIMEOUT.toSeconds() + " s)");
      }
      if (s.start().equals("latest")) {
        pinLatest(admin, s, group, d);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalArgumentException("interrupted while checking " + where);
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  private static IllegalArgumentException refused(KafkaSource s, String where, Throwable c) {
    if (c instanceof AuthenticationException) {
      return new IllegalArgumentException(where + " refused the credentials" + (s.user() == null ? "" : " of user '" + s.user() + "'"));
    }
    if (c instanceof AuthorizationException) {
      return new IllegalArgumentException(where + " does not let " + (s.user() == null ? "an anonymous client" : "user '" + s.user() + "'")
          + " read topic '" + s.topic() + "' or use the consumer group (" + c.getMessage() + ")");
    }
    if (c instanceof org.apache.kafka.common.errors.TimeoutException) {
      return new IllegalArgumentException("cannot reach " + where + " (no answer in " + CHECK_TIMEOUT.toSeconds() + " s)");
    }
    return new IllegalArgumentException("cannot use " + where + " (" + BatchPoller.describe(c) + ")");
  }

  private static void pinLatest(Admin admin, KafkaSource s, String group, TopicDescription d) throws InterruptedException {
    String where = "the Kafka broker at " + s.bootstrap();
    long wait = CHECK_TIMEOUT.toMillis() + 1000;
    try {
      Map<TopicPartition, OffsetAndMetadata> have = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(wait, TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetSpec> missing = new HashMap<>();
      d.partitions().forEach(p -> {
        TopicPartition tp = new TopicPartition(s.topic(), p.partition());
        if (have.get(tp) == null) {
          missing.put(tp, OffsetSpec.latest());
        }
      });
      if (missing.isEmpty()) {
        return;
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(missing).all().get(wait, TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> pin = new HashMap<>();
      ends.forEach((tp, info) -> pin.put(tp, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(group, pin).all().get(wait, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownMemberIdException
          || e.getCause() instanceof org.apache.kafka.common.errors.GroupNotEmptyException) {
        throw new IllegalArgumentException("consumer group '" + group + "' has active members at " + s.bootstrap()
            + ": its offsets cannot be set (stop them, or name another group)");
      }
      throw refused(s, where, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalArgumentException("cannot reach " + where + " (no answer in " + CHECK_TIMEOUT.toSeconds() + " s)");
    }
  }
}
