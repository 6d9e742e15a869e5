package io.followermaze.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) in its own process, started
 * from the test classpath's {@code kafka_2.13} with {@code kafka.Kafka}: the same thing {@code
 * bin/kafka-local} runs. It can be stopped and started again on the same log directory and port.
 */
public final class KafkaBroker implements AutoCloseable {

  private final Path directory;
  private final int port;
  private final int controllerPort;
  private final Path properties;
  private Process process;

  /** Formats a new log directory under {@code directory} and starts the broker on free ports. */
  public KafkaBroker(Path directory) throws Exception {
    this.directory = directory;
    this.port = freePort();
    this.controllerPort = freePort();
    this.properties = directory.resolve("server.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + directory.resolve("logs"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.flush.interval.messages=1000000",
            ""));
    Process format =
        java(
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                properties.toString())
            .redirectOutput(directory.resolve("format.log").toFile())
            .start();
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException(
          "formatting the Kafka log directory failed: "
              + Files.readString(directory.resolve("format.log")));
    }
    start();
  }

  private ProcessBuilder java(String main, String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "-Dlog4j2.configurationFile=" + directory.resolve("log4j2.properties"),
                main));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  /** Starts the broker (again) and waits until it accepts connections. */
  public void start() throws IOException {
    Files.writeString(directory.resolve("log4j2.properties"), "rootLogger.level=WARN\n");
    process =
        java("kafka.Kafka", properties.toString())
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
            .start();
    await().atMost(Duration.ofSeconds(60)).until(() -> accepts() || !process.isAlive());
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the Kafka broker exited: " + Files.readString(directory.resolve("broker.log")));
    }
  }

  /** Stops the broker (SIGTERM: a controlled shutdown) and waits for it. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** {@code host:port} for clients. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  private boolean accepts() {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return probe.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
