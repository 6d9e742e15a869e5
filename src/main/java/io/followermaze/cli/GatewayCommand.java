package io.followermaze.cli;

import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.kafka.ClusterTopics;
import io.followermaze.kafka.KafkaEventFeed;
import io.followermaze.kafka.PresenceTable;
import io.followermaze.lifecycle.Lifetime;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import org.agrona.concurrent.NoOpIdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code followermaze gateway}: serves user clients from the cluster's event log. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = {
      "Cluster mode: serves user clients from the ordered events in Kafka.",
      "",
      "Accepts user clients, reads the ordered events from Kafka from the start (rebuilding the follow",
      "graph; events before its committed position are not delivered again) and delivers to its own",
      "clients. Run any number; a client may connect to any. See docs/cluster.md."
    },
    showDefaultValues = true)
final class GatewayCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(
      names = "--client-port",
      defaultValue = "${env:FM_CLIENT_PORT:-9099}",
      description = "User client port (env FM_CLIENT_PORT).")
  int clientPort;

  @Option(
      names = "--gateway-id",
      required = true,
      defaultValue = "${env:FM_GATEWAY_ID}",
      description =
          "This gateway's stable name: its consumer group and presence entries (env FM_GATEWAY_ID).")
  String gatewayId;

  @Option(
      names = "--gateways",
      defaultValue = "${env:FM_GATEWAYS:-1}",
      description =
          "How many gateways the cluster has: offline users are dead-lettered by their owner, user mod this (env FM_GATEWAYS).")
  int gateways;

  @Option(
      names = "--gateway-index",
      defaultValue = "${env:FM_GATEWAY_INDEX:-0}",
      description = "This gateway's index, 0..gateways-1 (env FM_GATEWAY_INDEX).")
  int index;

  @Option(
      names = "--presence-topic",
      defaultValue = "${env:FM_PRESENCE_TOPIC:-maze.presence}",
      description =
          "Compacted topic recording which gateway holds which user (env FM_PRESENCE_TOPIC).")
  String presenceTopic = ClusterTopics.PRESENCE;

  @Option(
      names = "--presence-lease",
      defaultValue = "${env:FM_PRESENCE_LEASE:-10s}",
      description =
          "How long a gateway's users count as held by it after its last heartbeat (every third of this); the same on every gateway (env FM_PRESENCE_LEASE).")
  java.time.Duration presenceLease;

  @Mixin PortsFile portsFile = new PortsFile();

  @Override
  public Integer call() throws InterruptedException {
    WriterThreads.apply(0);
    Lifetime lifetime = new Lifetime(ClusterOptions.STOP_BUDGET);
    Server gateway;
    try {
      LoggingDeadLetterSink deadLetters =
          lifetime.open("the dead-letter sink", cluster.deadLetters(lifetime));
      PresenceTable presence =
          lifetime.open(
              "the presence table",
              new PresenceTable(
                  cluster.bootstrap, presenceTopic, gatewayId, gateways, index, presenceLease));
      lifetime.open(
          "the presence reader",
          lifetime.roles().start(presence.reader(), NoOpIdleStrategy.INSTANCE));
      gateway =
          lifetime.open(
              "the gateway",
              Server.startGateway(
                  ServerConfig.defaults()
                      .withPorts(cluster.bind, 0, clientPort)
                      .withStatusInterval(cluster.statusInterval),
                  lifetime.roles(),
                  deadLetters,
                  presence,
                  presence,
                  engine ->
                      new KafkaEventFeed(
                          cluster.bootstrap, cluster.eventsTopic, gatewayId, engine)));
    } catch (RuntimeException e) {
      return lifetime.failedStart("followermaze gateway", e);
    }
    lifetime.runUntilStopped(
        ClusterOptions.RUNNING, () -> portsFile.write(Map.of("client", gateway.clientPort())));
    return 0;
  }
}
