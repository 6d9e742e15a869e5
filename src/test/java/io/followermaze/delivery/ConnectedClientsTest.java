package io.followermaze.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of delivery over in-memory connections: lag is not a stall, a stalled client is
 * evicted and loses nothing, and over the budget the largest backlog goes first. This test thread
 * plays the engine thread.
 */
class ConnectedClientsTest {

  private final List<String> lost =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private final UndeliveredSink undeliverable =
      (session, event, reason, error) ->
          lost.add(session.userId() + ":" + event.sequence() + ":" + reason);
  private final ConcurrentHashMap<Integer, Boolean> ended = new ConcurrentHashMap<>();

  private static Event message(long sequence, int to) {
    return (Event)
        EventParser.parse((sequence + "|P|1|" + to + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private ClientSession connect(ConnectedClients clients, int user, Connection connection) {
    ClientSession session = new ClientSession(user, connection, "client " + user, 8192);
    new SessionWriter(
            session,
            8192,
            undeliverable,
            ended -> {
              ended.drainUndelivered(undeliverable); // as the engine does on ClientEnded
              this.ended.put(user, true);
            })
        .start();
    clients.register(session);
    return session;
  }

  private ConnectedClients clients(long bufferBytes, Duration stall, long budget) {
    return clients(bufferBytes, stall, budget, SlowClientPolicy.DISCONNECT);
  }

  private ConnectedClients clients(
      long bufferBytes, Duration stall, long budget, SlowClientPolicy policy) {
    return new ConnectedClients(
        new ClientLimits(bufferBytes, stall, budget, policy, 0), Duration.ZERO, undeliverable);
  }

  /** Plays the engine: ends batches (wake-ups, policy) until {@code done}. */
  private static void endBatchesUntil(
      ConnectedClients clients, java.util.concurrent.Callable<Boolean> done) {
    await()
        .pollInSameThread()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              long now = System.nanoTime();
              clients.endBatch(now, now);
              return done.call();
            });
  }

  private static void queueMessages(ConnectedClients clients, ClientSession session, int count) {
    for (int s = 1; s <= count; s++) {
      clients.queue(session, message(s, session.userId()), System.nanoTime());
    }
  }

  @Test
  void aClientThatKeepsDrainingGetsAWholeBurstFarBeyondItsBuffer() {
    ConnectedClients clients = clients(1024, Duration.ofMinutes(1), 64L << 20);
    InMemoryConnection connection = InMemoryConnection.draining();
    ClientSession session = connect(clients, 42, connection);
    int burst = 100_000;
    queueMessages(clients, session, burst);
    endBatchesUntil(clients, () -> connection.lines().size() == burst);
    assertThat(connection.lines())
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, burst).mapToObj(s -> s + "|P|1|42").toList());
    assertThat(lost).isEmpty();
    assertThat(clients.size()).isEqualTo(1);
  }

  @Test
  void aStalledClientPastItsBufferIsDisconnectedAndEveryLineItMissedIsADeadLetter() {
    ConnectedClients clients = clients(1024, Duration.ofMillis(50), 64L << 20);
    ClientSession session = connect(clients, 7, InMemoryConnection.stalled());
    int queued = 10_000;
    queueMessages(clients, session, queued);
    endBatchesUntil(clients, session::isClosed);
    await().atMost(Duration.ofSeconds(20)).until(() -> ended.containsKey(7));
    assertThat(clients.size()).isZero();
    assertThat(lost).hasSize(queued).allSatisfy(l -> assertThat(l).endsWith(":CLIENT_TOO_SLOW"));
    assertThat(lost.stream().map(l -> l.split(":")[1]).distinct()).hasSize(queued);
  }

  @Test
  void overTheBudgetTheLargestBacklogGoesFirstAndTheOtherKeepsItsConnection() {
    ConnectedClients clients = clients(0, Duration.ofMinutes(10), 64 << 10);
    ClientSession heavy = connect(clients, 2, InMemoryConnection.stalled());
    ClientSession light = connect(clients, 3, InMemoryConnection.stalled());
    for (int s = 1; s <= 8_000; s++) {
      clients.queue(s % 4 == 0 ? light : heavy, message(s, s % 4 == 0 ? 3 : 2), System.nanoTime());
    }
    long now = System.nanoTime();
    clients.endBatch(now, now);

    assertThat(heavy.isClosed()).as("the largest backlog is evicted").isTrue();
    assertThat(light.isClosed()).as("the smaller one stays").isFalse();
    assertThat(heavy.closeReason()).isEqualTo(Reason.CLIENT_TOO_SLOW);
    assertThat(heavy.closeError()).contains("outbox budget");
    assertThat(clients.get(3)).isSameAs(light);
    assertThat(clients.get(2)).isNull();
  }

  /**
   * One batch: 50 messages to each of {@code sessions} still registered, numbered after {@code
   * queued}, then the batch's end (wake-ups, policy); returns the last number queued.
   */
  private static int queueRound(
      ConnectedClients clients, List<ClientSession> sessions, int queued) {
    for (ClientSession session : sessions) {
      for (int i = 0; clients.get(session.userId()) != null && i < 50; i++) {
        clients.queue(session, message(++queued, session.userId()), System.nanoTime());
      }
    }
    long now = System.nanoTime();
    clients.endBatch(now, now);
    return queued;
  }

  @Test
  void underTheDeadLetterPolicyTheBudgetHoldsEvenWhenStalledWritersRingsHoldIt() {
    long budget = 256 << 10;
    ConnectedClients clients =
        clients(0, Duration.ofMinutes(10), budget, SlowClientPolicy.DEAD_LETTER);
    List<ClientSession> stalled =
        IntStream.rangeClosed(1, 8)
            .mapToObj(user -> connect(clients, user, InMemoryConnection.stalled()))
            .toList();
    int queued = 0;
    for (int round = 0; round < 400; round++) {
      queued = queueRound(clients, stalled, queued); // the writers wake: the rings fill
      long held =
          stalled.stream().filter(s -> !s.isClosed()).mapToLong(s -> s.backlogBytes()).sum();
      assertThat(held)
          .as("bytes held for connected clients, round %d (the budget's rescan slack: 1/16)", round)
          .isLessThanOrEqualTo(budget + budget / 16);
    }
    assertThat(stalled).as("some stalled client disconnected").anyMatch(ClientSession::isClosed);
    assertThat(stalled.stream().filter(ClientSession::isClosed).map(ClientSession::closeError))
        .allMatch(error -> error.contains("outbox budget"));
    stalled.forEach(s -> s.close(Reason.CONNECTION_LOST, "test ends"));
    await().atMost(Duration.ofSeconds(20)).until(() -> ended.size() == stalled.size());
    assertThat(lost).as("every line a dead letter, once").hasSize(queued).doesNotHaveDuplicates();
  }

  @Test
  void evictionsCannotMakeRoomFasterThanEvictedBacklogsAreHandedOn() {
    long budget = 256 << 10;
    ConnectedClients clients =
        clients(0, Duration.ofMinutes(10), budget, SlowClientPolicy.DISCONNECT);
    // The writers end when evicted, but the engine hands their backlogs on only at the end (as
    // when it is slow behind a full dead-letter queue): until then those bytes are memory.
    List<ClientSession> endedNotHandedOn = new CopyOnWriteArrayList<>();
    List<ClientSession> all =
        IntStream.rangeClosed(1, 16)
            .mapToObj(
                user -> {
                  ClientSession session =
                      new ClientSession(user, InMemoryConnection.stalled(), "client " + user, 8192);
                  new SessionWriter(session, 8192, undeliverable, endedNotHandedOn::add).start();
                  clients.register(session);
                  return session;
                })
            .toList();
    int queued = 0;
    for (int round = 0; round < 300; round++) {
      queued = queueRound(clients, all, queued);
      long held = all.stream().mapToLong(ClientSession::backlogBytes).sum();
      assertThat(held)
          .as("bytes held, evicted backlogs included, round %d", round)
          .isLessThanOrEqualTo(budget + budget / 16 + 16 * 50 * 16);
    }
    assertThat(all).as("some client evicted").anyMatch(ClientSession::isClosed);
    all.forEach(s -> s.close(Reason.CONNECTION_LOST, "test ends"));
    await().atMost(Duration.ofSeconds(20)).until(() -> endedNotHandedOn.size() == all.size());
    for (ClientSession session : endedNotHandedOn) {
      clients.ended(session);
      session.drainUndelivered(undeliverable);
    }
    assertThat(lost).as("every line a dead letter, once").hasSize(queued).doesNotHaveDuplicates();
  }

  @Test
  void aClientIdleForLongerThanTheStallTimeoutIsNotStalledAndGetsABurstBeyondItsBuffer()
      throws Exception {
    ConnectedClients clients = clients(1024, Duration.ofMillis(200), 64L << 20);
    InMemoryConnection connection = InMemoryConnection.draining();
    ClientSession session = connect(clients, 2, connection);
    queueMessages(clients, session, 1);
    endBatchesUntil(clients, () -> connection.lines().size() == 1);
    Thread.sleep(400); // the scenario: the client is idle for twice the stall timeout

    for (int s = 2; s <= 5_000; s++) {
      clients.queue(session, message(s, 2), System.nanoTime());
    }
    endBatchesUntil(clients, () -> connection.lines().size() == 5_000);

    assertThat(lost).as("an idle writer is not stuck in a write").isEmpty();
    assertThat(session.isClosed()).isFalse();
  }

  @Test
  void aWriteThatFailsPartWayDeadLettersOnlyTheLinesTheClientDidNotReceiveWhole() {
    ConnectedClients clients = clients(1 << 20, Duration.ofMinutes(1), 64L << 20);
    List<String> received = new CopyOnWriteArrayList<>();
    Connection failsAfter100Bytes =
        new Connection() {
          @Override
          public void writeFully(java.nio.ByteBuffer buffer) throws java.io.IOException {
            byte[] taken = new byte[Math.min(100, buffer.remaining())];
            buffer.get(taken); // the kernel took these bytes, then the peer reset
            String text = new String(taken, StandardCharsets.US_ASCII);
            received.addAll(List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n")));
            throw new java.io.IOException("Connection reset by peer");
          }

          @Override
          public void close() {}
        };
    ClientSession session = connect(clients, 2, failsAfter100Bytes);
    queueMessages(clients, session, 50);
    endBatchesUntil(clients, () -> ended.containsKey(2));

    assertThat(received).as("whole lines within the first 100 bytes").isNotEmpty();
    List<String> lostSequences = lost.stream().map(l -> l.split(":")[1]).toList();
    List<String> receivedSequences = received.stream().map(l -> l.split("\\|")[0]).toList();
    assertThat(lostSequences)
        .as("received or a dead letter, never both")
        .doesNotContainAnyElementsOf(receivedSequences);
    assertThat(lostSequences.size() + receivedSequences.size())
        .as("and never neither")
        .isEqualTo(50);
  }
}
