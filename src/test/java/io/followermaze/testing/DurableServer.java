package io.followermaze.testing;

import static org.awaitility.Awaitility.await;

import io.followermaze.deadletter.DeadLetterCollector;
import io.followermaze.deadletter.DeadLetterFilter;
import io.followermaze.redrive.ParkedLetters;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import io.followermaze.storage.SqliteDeadLetterStore;
import io.followermaze.storage.StoredDeadLetter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real server whose dead letters go to the SQLite store in {@code dataDir}, with redrive. */
public final class DurableServer implements AutoCloseable {

  private final Path dataDir;
  private final DeadLetterCollector collector;
  private final ParkedLetters parked;
  private final Server server;
  private final SqliteDeadLetterStore reader;

  public DurableServer(Path dataDir, boolean redriveOnConnect) {
    this(dataDir, redriveOnConnect, ServerConfig.forTests());
  }

  public DurableServer(Path dataDir, boolean redriveOnConnect, ServerConfig config) {
    this.dataDir = dataDir;
    SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dataDir, false, SqliteDeadLetterStore.Retention.FOREVER);
    this.collector = new DeadLetterCollector(store, 10_000, 1_000, Duration.ofMillis(20));
    SqliteDeadLetterStore parkedStore = SqliteDeadLetterStore.open(dataDir);
    if (redriveOnConnect) {
      parkedStore.indexParkedByRecipient();
    }
    this.parked = new ParkedLetters(parkedStore);
    this.server = Server.start(config, collector, new Server.Redrive(parked, redriveOnConnect));
    this.reader = SqliteDeadLetterStore.open(dataDir);
  }

  public Server server() {
    return server;
  }

  public Path dataDir() {
    return dataDir;
  }

  public EventSource source() {
    try {
      return new EventSource(server.eventPort());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public UserClient client(int user) {
    long before = server.stats().clientsRegistered();
    UserClient client = UserClient.connect(server.clientPort(), user);
    await().atMost(RunningServer.PATIENCE).until(() -> server.stats().clientsRegistered() > before);
    return client;
  }

  /** Waits until the store holds at least {@code count} letters matching, and returns all of them. */
  public List<StoredDeadLetter> awaitStored(DeadLetterFilter filter, int count) {
    await().atMost(RunningServer.PATIENCE).until(() -> reader.count(filter) >= count);
    return reader.list(filter, 0, 1_000_000);
  }

  public SqliteDeadLetterStore reader() {
    return reader;
  }

  @Override
  public void close() {
    server.close();
    parked.close();
    collector.close();
    reader.close();
  }
}
