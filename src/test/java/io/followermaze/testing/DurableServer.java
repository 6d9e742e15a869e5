package io.followermaze.testing;

import static org.awaitility.Awaitility.await;

import io.followermaze.admin.AdminServer;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.dlq.sqlite.SqliteDlqOperations;
import io.followermaze.lifecycle.Roles;
import io.followermaze.redrive.RedriveConnection;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real server whose dead letters go (through the logging sink) to the SQLite store in {@code
 * dataDir}, with redrive, and optionally the admin API.
 */
public final class DurableServer implements AutoCloseable {

  private final Path dataDir;
  private final DeadLetterCollector collector;
  private final LoggingDeadLetterSink deadLetters;
  private final RedriveConnection parked;
  private final Server server;
  private final SqliteDeadLetterStore reader;
  private AdminServer admin;

  public DurableServer(Path dataDir, boolean redriveOnConnect) {
    this(dataDir, redriveOnConnect, TestServerConfig.loopback());
  }

  public DurableServer(Path dataDir, boolean redriveOnConnect, ServerConfig config) {
    this.dataDir = dataDir;
    SqliteDeadLetterStore store =
        SqliteDeadLetterStore.open(dataDir, false, SqliteDeadLetterStore.Retention.FOREVER);
    this.collector =
        new DeadLetterCollector(store, 1 << 20, 64 << 10, Duration.ofMillis(20)).start(new Roles());
    this.deadLetters = new LoggingDeadLetterSink(0, collector);
    SqliteDeadLetterStore parkedStore = SqliteDeadLetterStore.open(dataDir);
    this.parked = new RedriveConnection(parkedStore);
    this.server =
        Server.start(
            config, new Roles(), deadLetters, new Server.Redrive(parked, redriveOnConnect));
    this.reader = SqliteDeadLetterStore.open(dataDir);
  }

  /**
   * Starts the admin API on a free loopback port, with {@code token} (nullable); returns its port.
   */
  public int startAdmin(String token) {
    admin =
        AdminServer.start(
            new AdminServer.Options("127.0.0.1", 0, token),
            server,
            deadLetters,
            collector,
            new SqliteDlqOperations(SqliteDeadLetterStore.open(dataDir)),
            parked::redriven);
    return admin.port();
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

  /**
   * Waits until the store lists (has indexed) at least {@code count} letters matching, and returns
   * all of them.
   */
  public List<StoredDeadLetter> awaitStored(DeadLetterFilter filter, int count) {
    await()
        .atMost(RunningServer.PATIENCE)
        .until(() -> reader.list(filter, 0, count).size() >= count);
    return reader.list(filter, 0, 1_000_000);
  }

  public SqliteDeadLetterStore reader() {
    return reader;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close();
    }
    server.close();
    parked.close();
    deadLetters.close();
    reader.close();
  }
}
