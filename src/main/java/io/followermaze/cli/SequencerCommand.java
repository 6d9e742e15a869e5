package io.followermaze.cli;

import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.kafka.EventLogPublisher;
import io.followermaze.lifecycle.Lifetime;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code followermaze sequencer}: the cluster's single entry for the event source. */
@Command(
    name = "sequencer",
    mixinStandardHelpOptions = true,
    description = {
      "Cluster mode: takes the event source and appends the ordered events to Kafka.",
      "",
      "Accepts the event source, reorders, dead-letters bad lines, and appends the ordered events to a",
      "one-partition Kafka topic; gateways deliver them. On restart it resumes the numbering after the",
      "topic's last event. See docs/cluster.md."
    },
    showDefaultValues = true)
final class SequencerCommand implements Callable<Integer> {

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(
      names = "--event-port",
      defaultValue = "${env:FM_EVENT_PORT:-9090}",
      description = "Event source port (env FM_EVENT_PORT).")
  int eventPort;

  @Mixin PortsFile portsFile = new PortsFile();

  @Override
  public Integer call() throws InterruptedException {
    Lifetime lifetime = new Lifetime(ClusterOptions.STOP_BUDGET);
    Server sequencer;
    try {
      LoggingDeadLetterSink deadLetters =
          lifetime.open("the dead-letter sink", cluster.deadLetters(lifetime));
      EventLogPublisher publisher =
          lifetime.open(
              "the event log", new EventLogPublisher(cluster.bootstrap, cluster.eventsTopic));
      sequencer =
          lifetime.open(
              "the sequencer",
              Server.startSequencer(
                  ServerConfig.defaults()
                      .withPorts(cluster.bind, eventPort, 0)
                      .withStatusInterval(cluster.statusInterval),
                  lifetime.roles(),
                  deadLetters,
                  publisher,
                  publisher.lastSequence()));
    } catch (RuntimeException e) {
      return lifetime.failedStart("followermaze sequencer", e);
    }
    lifetime.runUntilStopped(
        ClusterOptions.RUNNING, () -> portsFile.write(Map.of("event", sequencer.eventPort())));
    return 0;
  }
}
