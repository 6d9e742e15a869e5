package io.followermaze.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The one way this package opens a consumer: raw bytes in, the settings that differ spelled out.
 */
final class KafkaClients {

  private KafkaClients() {}

  /** A consumer of keys and values as bytes on {@code bootstrap}, with {@code settings}. */
  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, Map<String, Object> settings) {
    Map<String, Object> config = new HashMap<>(settings);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
