package io.followermaze.testing;

import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.InMemoryDeadLetterSink;
import io.followermaze.dlq.Reason;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/** A real server on loopback with free ports and an in-memory dead-letter sink. */
public final class RunningServer implements AutoCloseable {

  public static final Duration PATIENCE = Duration.ofSeconds(20);

  private final Server server;
  private final InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();

  private RunningServer(ServerConfig config) {
    this.server = Server.start(config.withPorts("127.0.0.1", 0, 0), new Roles(), deadLetters);
  }

  public static RunningServer start() {
    return start(TestServerConfig.loopback());
  }

  public static RunningServer start(ServerConfig config) {
    return new RunningServer(config);
  }

  public Server server() {
    return server;
  }

  public EventSource source() {
    try {
      return new EventSource(server.eventPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connects a client for {@code user} and waits until the server has registered it. */
  public UserClient client(int user) {
    long before = server.stats().clientsRegistered();
    UserClient client = UserClient.connect(server.clientPort(), user);
    await().atMost(PATIENCE).until(() -> server.stats().clientsRegistered() > before);
    return client;
  }

  /** Connects a client and sends {@code idLine} as is, without waiting for registration. */
  public UserClient rawClient(String idLine) {
    return UserClient.connectRaw(server.clientPort(), idLine);
  }

  public List<DeadLetter> deadLetters() {
    return deadLetters.letters();
  }

  public List<DeadLetter> deadLetters(Reason reason) {
    return deadLetters.withReason(reason);
  }

  /**
   * Waits until at least {@code count} dead letters with {@code reason} exist, and returns them.
   */
  public List<DeadLetter> awaitDeadLetters(Reason reason, int count) {
    await().atMost(PATIENCE).until(() -> deadLetters.withReason(reason).size() >= count);
    return deadLetters.withReason(reason);
  }

  /** Waits until the engine has received {@code events} well-formed events. */
  public void awaitReceived(long events) {
    await().atMost(PATIENCE).until(() -> server.stats().eventsReceived() >= events);
  }

  @Override
  public void close() {
    server.close();
  }
}
