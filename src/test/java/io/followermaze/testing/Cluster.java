package io.followermaze.testing;

import io.followermaze.dlq.InMemoryDeadLetterSink;
import io.followermaze.kafka.ClusterTopics;
import io.followermaze.kafka.EventLogPublisher;
import io.followermaze.kafka.KafkaEventFeed;
import io.followermaze.kafka.PresenceTable;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real broker (forked), a sequencer and gateways in this JVM, each gateway with its own in-memory
 * dead letters.
 */
public final class Cluster implements AutoCloseable {

  /** One gateway: its server, presence table and dead letters. */
  public static final class Gateway implements AutoCloseable {
    public final String id;
    public final Server server;
    public final PresenceTable presence;
    public final InMemoryDeadLetterSink deadLetters;

    Gateway(
        String bootstrap,
        String id,
        int gateways,
        int index,
        int clientPort,
        InMemoryDeadLetterSink deadLetters) {
      this.id = id;
      this.deadLetters = deadLetters;
      this.presence =
          new PresenceTable(bootstrap, ClusterTopics.PRESENCE, id, gateways, index, LEASE);
      this.server =
          Server.startGateway(
              TestServerConfig.loopback().withPorts("127.0.0.1", 0, clientPort),
              new Roles(),
              deadLetters,
              presence,
              presence,
              engine -> new KafkaEventFeed(bootstrap, ClusterTopics.EVENTS, id, engine));
      server.roles().start(presence.reader(), org.agrona.concurrent.NoOpIdleStrategy.INSTANCE);
    }

    @Override
    public void close() {
      server.close();
      presence.close();
    }
  }

  /** The presence lease of the gateways in tests. */
  public static final java.time.Duration LEASE = java.time.Duration.ofSeconds(3);

  public final KafkaBroker broker;
  public EventLogPublisher publisher;
  public final InMemoryDeadLetterSink sequencerDeadLetters = new InMemoryDeadLetterSink();
  public Server sequencer;
  public final List<Gateway> gateways = new ArrayList<>();
  private final int gatewayCount;

  /** Starts a broker in {@code directory}, the sequencer and {@code gateways} gateways. */
  public Cluster(Path directory, int gateways) throws Exception {
    this.broker = new KafkaBroker(directory);
    this.gatewayCount = gateways;
    this.publisher = new EventLogPublisher(broker.bootstrap(), ClusterTopics.EVENTS);
    this.sequencer =
        Server.startSequencer(
            TestServerConfig.loopback(),
            new Roles(),
            sequencerDeadLetters,
            publisher,
            publisher.lastSequence());
    for (int i = 0; i < gateways; i++) {
      this.gateways.add(
          new Gateway(broker.bootstrap(), "g" + i, gateways, i, 0, new InMemoryDeadLetterSink()));
    }
  }

  /**
   * Starts gateway {@code index} again (same id, port and dead letters) after {@link
   * Gateway#close()}.
   */
  public Gateway restart(int index) {
    Gateway old = gateways.get(index);
    Gateway again =
        new Gateway(
            broker.bootstrap(),
            old.id,
            gatewayCount,
            index,
            old.server.clientPort(),
            old.deadLetters);
    gateways.set(index, again);
    return again;
  }

  /** Stops the sequencer and starts a new one on the same log (it resumes the numbering). */
  public void restartSequencer() {
    sequencer.close();
    publisher.close();
    publisher = new EventLogPublisher(broker.bootstrap(), ClusterTopics.EVENTS);
    sequencer =
        Server.startSequencer(
            TestServerConfig.loopback(),
            new Roles(),
            sequencerDeadLetters,
            publisher,
            publisher.lastSequence());
  }

  /** The gateways' client ports, in order. */
  public List<Integer> clientPorts() {
    return gateways.stream().map(g -> g.server.clientPort()).toList();
  }

  @Override
  public void close() {
    for (Gateway gateway : gateways) {
      gateway.close();
    }
    sequencer.close();
    publisher.close();
    broker.close();
  }
}
