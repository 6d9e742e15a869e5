package io.followermaze.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.delivery.ClientSession;
import io.followermaze.delivery.Connection;
import io.followermaze.delivery.SessionWriter;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.InMemoryDeadLetterSink;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.RedriveStore;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseResult;
import io.followermaze.redrive.RedriveConnection;
import io.followermaze.testing.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine under seeded schedules, driven on the test's own thread ({@link AgentInvoker}, a fake
 * wall clock; the client writers are real, over in-memory connections): events out of order with
 * gaps, duplicates, out-of-range numbers and malformed lines, in chunks of random sizes; clients
 * connecting, reconnecting, disconnecting, stalling, lagging and failing part-way through a write;
 * redrives of parked letters (a request, or on connect) whose marks land late; the source stopping
 * at a random point, then shutdown. At the end of every schedule, the law:
 *
 * <ul>
 *   <li>every line the engine could not use is exactly one dead letter, and a line it used has
 *       none;
 *   <li>for every event it used and every user the routing rules say it concerns, exactly one of: a
 *       connection of that user received it, or one dead letter (event, user) exists; nobody else
 *       receives it or gets a letter for it (a broadcast: at most one of the two per user);
 *   <li>every connection receives its notifications in sequence order.
 * </ul>
 *
 * <p>A failure names its seed; {@code -Dseed=N} replays that one ({@link Seeds}).
 */
class EngineSimulationTest {

  private static final int USERS = 6;

  /** The reasons of letters about a line (every one but the recipients' and the gaps'). */
  private static final EnumSet<Reason> LINE_REASONS =
      EnumSet.complementOf(
          EnumSet.of(
              Reason.USER_NOT_CONNECTED,
              Reason.CONNECTION_LOST,
              Reason.CLIENT_TOO_SLOW,
              Reason.SEQUENCE_GAP));

  static LongStream seeds() {
    return Seeds.stream("engine simulation", 2_000);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void everyEventReachesEachUserItConcernsOrIsExactlyOneDeadLetter(long seed) throws Exception {
    Seeds.replayable(seed, () -> new Schedule(seed).run());
  }

  /** A client connection in memory: what it received, and how it misbehaves. */
  private static final class SimConnection implements Connection {
    enum Kind {
      DRAINING,
      LAGGING,
      STALLED,
      FAILS_PART_WAY
    }

    private final Kind kind;
    private final int failAfterBytes;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final CountDownLatch closed = new CountDownLatch(1);
    private int writtenBytes;

    SimConnection(Kind kind, int failAfterBytes) {
      this.kind = kind;
      this.failAfterBytes = failAfterBytes;
    }

    @Override
    public void writeFully(ByteBuffer buffer) throws IOException {
      if (kind == Kind.STALLED) {
        try {
          closed.await(); // a peer that stopped reading: the write blocks until the close
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (closed.getCount() == 0) {
        throw new IOException("connection closed");
      }
      if (kind == Kind.LAGGING) {
        Thread.yield();
      }
      int take = buffer.remaining();
      boolean fails = kind == Kind.FAILS_PART_WAY && writtenBytes + take > failAfterBytes;
      if (fails) {
        take = Math.max(0, failAfterBytes - writtenBytes);
      }
      byte[] bytes = new byte[take];
      buffer.get(bytes);
      synchronized (received) {
        received.writeBytes(bytes);
      }
      writtenBytes += take;
      if (fails) {
        throw new IOException("Connection reset by peer");
      }
    }

    @Override
    public void close() {
      closed.countDown();
    }

    /** The whole lines received (a line cut off part-way was not received). */
    List<String> lines() {
      String text;
      synchronized (received) {
        text = received.toString(StandardCharsets.US_ASCII);
      }
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    }
  }

  /** One seeded schedule: its settings, its inputs, the engine, and the law at the end. */
  private static final class Schedule {
    private final Random random;
    private final InMemoryDeadLetterSink sink = new InMemoryDeadLetterSink();
    private final Engine engine;
    private final AgentInvoker invoker;
    private final List<String> sent = new ArrayList<>();
    private final List<SimConnection> connections = new ArrayList<>();
    private final Map<SimConnection, Integer> userOf = new HashMap<>();
    private final Map<Integer, ClientSession> sessions = new HashMap<>();
    private final List<String> steps = new ArrayList<>();
    private final List<Throwable> engineErrors = Collections.synchronizedList(new ArrayList<>());
    private long wallClock = 1_700_000_000_000L;
    private int serial;
    private final boolean redriveOnConnect;
    private final Set<Long> marked = new HashSet<>(); // letters (by index in the sink) redriven
    private final List<Unsettled> unsettled = new ArrayList<>();
    private final RedriveConnection parked = new RedriveConnection(new SinkParkedStore());

    Schedule(long seed) {
      random = new Random(seed);
      ClientLimits limits =
          new ClientLimits(
              random.nextBoolean() ? 256 : 64 << 10,
              Duration.ofMillis(5 + random.nextInt(20)),
              random.nextInt(4) == 0 ? 4 << 10 : 64L << 20,
              random.nextBoolean() ? SlowClientPolicy.DISCONNECT : SlowClientPolicy.DEAD_LETTER,
              0);
      EngineSettings settings =
          new EngineSettings(
              random.nextBoolean() ? 8 : 500,
              random.nextBoolean() ? 1024 : 1 << 16,
              Duration.ofMinutes(10),
              limits,
              Duration.ZERO,
              8 + random.nextInt(64));
      engine = new Engine(settings, sink, () -> wallClock, SystemNanoClock.INSTANCE);
      invoker = new AgentInvoker(engineErrors::add, null, engine);
      redriveOnConnect = random.nextBoolean();
      steps.add("settings " + settings + (redriveOnConnect ? ", redrive on connect" : ""));
    }

    void run() throws Exception {
      invoker.start();
      try {
        List<String> lines = lines(20 + random.nextInt(280));
        int at = 0;
        int stopAt = random.nextInt(5) == 0 ? random.nextInt(lines.size() + 1) : lines.size();
        while (at < stopAt) {
          if (random.nextInt(3) == 0) {
            clientAction();
          }
          if (random.nextInt(8) == 0) {
            redriveAction();
          }
          if (random.nextBoolean()) {
            markRedriven();
          }
          int chunk = Math.min(stopAt - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 60));
          submitChunk(lines.subList(at, at + chunk));
          at += chunk;
          work(random.nextInt(4));
        }
        steps.add("source stops after " + at + " of " + lines.size() + " lines");
        engine.submit(new EngineCommand.SourceDisconnected("source#1"));
        work(2);
        shutdown();
        markRedriven();
      } finally {
        invoker.close();
        connections.forEach(SimConnection::close);
      }
      assertThat(engineErrors).as("engine errors").isEmpty();
      checkTheLaw();
    }

    // ---- inputs ----------------------------------------------------------------------------

    /** Events 1..n (a few missing), some duplicated or far ahead, malformed lines between. */
    private List<String> lines(int n) {
      List<String> lines = new ArrayList<>();
      for (int sequence = 1; sequence <= n; sequence++) {
        if (random.nextInt(50) == 0) {
          continue; // a gap: never sent
        }
        lines.add(event(sequence));
        if (random.nextInt(50) == 0) {
          lines.add(sequence + "|P|" + user() + "|" + user() + "|dup" + ++serial); // malformed
          lines.add(sequence + "|B"); // a duplicate number (content differs from most events)
        }
        if (random.nextInt(30) == 0) {
          lines.add(malformed());
        }
        if (random.nextInt(200) == 0) {
          lines.add((sequence + 5_000_000L) + "|B"); // a whole reorder window ahead
        }
      }
      // Out of order: each line moves up to a few places.
      for (int i = 0; i < lines.size(); i++) {
        int j = Math.min(lines.size() - 1, i + random.nextInt(6));
        if (random.nextInt(3) == 0) {
          Collections.swap(lines, i, j);
        }
      }
      return lines;
    }

    private int user() {
      return 1 + random.nextInt(USERS);
    }

    private String event(long sequence) {
      int from = user();
      int to = user();
      return switch (random.nextInt(10)) {
        case 0, 1, 2 -> sequence + "|F|" + from + "|" + to;
        case 3 -> sequence + "|U|" + from + "|" + to;
        case 4 -> sequence + "|B";
        case 5, 6 -> sequence + "|P|" + from + "|" + to;
        default -> sequence + "|S|" + from;
      };
    }

    private String malformed() {
      return switch (random.nextInt(4)) {
        case 0 -> "x" + ++serial;
        case 1 -> ++serial + "|X";
        case 2 -> ++serial + "|F|1";
        default -> "|" + ++serial;
      };
    }

    private void submitChunk(List<String> lines) {
      ParseResult[] items = new ParseResult[lines.size()];
      for (int i = 0; i < lines.size(); i++) {
        items[i] = EventParser.parse((lines.get(i) + "\n").getBytes(StandardCharsets.US_ASCII));
        sent.add(lines.get(i));
      }
      wallClock += random.nextInt(5);
      engine.submit(new EngineCommand.SourceChunk(items, items.length, "source#1"));
      work(1);
    }

    private void clientAction() {
      int user = user();
      ClientSession current = sessions.get(user);
      if (current != null && random.nextInt(3) == 0) {
        steps.add("user " + user + " disconnects");
        current.close(Reason.CONNECTION_LOST, "the client went away");
        sessions.remove(user);
        return;
      }
      SimConnection.Kind kind =
          switch (random.nextInt(12)) {
            case 0 -> SimConnection.Kind.STALLED;
            case 1, 2 -> SimConnection.Kind.LAGGING;
            case 3 -> SimConnection.Kind.FAILS_PART_WAY;
            default -> SimConnection.Kind.DRAINING;
          };
      SimConnection connection = new SimConnection(kind, random.nextInt(400));
      steps.add("user " + user + (current == null ? " connects " : " reconnects ") + kind);
      ClientSession session =
          new ClientSession(user, connection, "client " + user + " #" + connections.size(), 512);
      connections.add(connection);
      userOf.put(connection, user);
      new SessionWriter(
              session, 512, engine, ended -> engine.submit(new EngineCommand.ClientEnded(ended)))
          .start();
      if (redriveOnConnect) {
        CompletableFuture<List<Long>> queued = new CompletableFuture<>();
        List<ParkedLetter> found =
            parked.find(DeadLetterFilter.ALL.forRecipient(user), ParkedCursor.START, 32_768);
        engine.submit(new EngineCommand.ClientConnected(session, found, queued));
        unsettled.add(new Unsettled(found, queued, "on connect of " + user));
      } else {
        engine.submit(new EngineCommand.ClientConnected(session));
      }
      sessions.put(user, session);
      work(1);
    }

    // ---- redrive -----------------------------------------------------------------------------

    /**
     * A redrive of one user's parked letters, as the redriver does: found through the server's
     * {@link RedriveConnection}, queued by the engine, settled once the answer has come (which the
     * schedule delays at random).
     */
    private void redriveAction() {
      int user = user();
      List<ParkedLetter> found =
          parked.find(
              DeadLetterFilter.ALL.forRecipient(user), ParkedCursor.START, 1 + random.nextInt(40));
      steps.add("redrive of " + found.size() + " letters of user " + user);
      CompletableFuture<List<Long>> queued = new CompletableFuture<>();
      engine.submit(new EngineCommand.Redeliver(found, queued));
      unsettled.add(new Unsettled(found, queued, "redrive of " + user));
      work(1);
    }

    /** A redelivery the engine was asked for, not settled yet. */
    private record Unsettled(
        List<ParkedLetter> found, CompletableFuture<List<Long>> queued, String what) {}

    /** Settles the redeliveries the engine has answered: what it queued is marked redriven. */
    private void markRedriven() {
      unsettled.removeIf(
          entry -> {
            if (!entry.queued().isDone()) {
              return false;
            }
            List<Long> ids =
                entry.queued().isCompletedExceptionally() ? List.of() : entry.queued().join();
            parked.settle(entry.found(), ids);
            steps.add(entry.what() + " queued " + ids);
            return true;
          });
    }

    /**
     * The sink's letters as a store of parked ones (ids are positions in the sink): those a user
     * could not be given, not marked redriven, user by user and each user's in sequence order.
     */
    private final class SinkParkedStore implements RedriveStore {
      @Override
      public List<StoredDeadLetter> parked(DeadLetterFilter filter, ParkedCursor after, int limit) {
        List<DeadLetter> letters = sink.letters();
        List<StoredDeadLetter> parked = new ArrayList<>();
        for (int id = 0; id < letters.size(); id++) {
          DeadLetter letter = letters.get(id);
          boolean afterCursor =
              letter.recipient() > after.user()
                  || (letter.recipient() == after.user() && after.before(letter.sequence(), id));
          if (afterCursor
              && letter.reason().category() == Reason.Category.UNDELIVERABLE
              && !marked.contains((long) id)
              && filter.matches(letter)) {
            parked.add(new StoredDeadLetter(id, letter, 0));
          }
        }
        parked.sort(
            Comparator.comparingInt((StoredDeadLetter d) -> d.letter().recipient())
                .thenComparingLong(d -> d.letter().sequence())
                .thenComparingLong(StoredDeadLetter::id));
        return List.copyOf(parked.subList(0, Math.min(limit, parked.size())));
      }

      @Override
      public void markRedriven(List<Long> ids, long nowMillis) {
        marked.addAll(ids);
      }

      @Override
      public Optional<RedriveRequest> takePendingRedrive() {
        return Optional.empty();
      }

      @Override
      public void recordRedrive(RedriveRequest progress, long nowMillis) {}

      @Override
      public long resumeInterruptedRedrives() {
        return 0;
      }

      @Override
      public void close() {}
    }

    /** Lets the engine handle what waits, plus {@code idle} idle cycles (wake-ups, stalls). */
    private void work(int idle) {
      for (int i = 0; i < 10_000 && invoker.isRunning(); i++) {
        if (cycle() == 0 && idle-- <= 0) {
          return;
        }
      }
    }

    /** One engine cycle; an idle one does not park (this thread holds a permit for it). */
    private int cycle() {
      LockSupport.unpark(Thread.currentThread());
      return invoker.invoke();
    }

    /** As the server does: shutdown, and after a while close the clients that do not drain. */
    private void shutdown() throws Exception {
      CompletableFuture<Void> done = engine.shutdown(Duration.ofSeconds(5));
      long started = System.nanoTime();
      boolean closedAll = false;
      while (!done.isDone() && invoker.isRunning()) {
        cycle();
        if (!closedAll && System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(100)) {
          steps.add("shutdown closes the clients that did not drain");
          connections.forEach(SimConnection::close);
          closedAll = true;
        }
        if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(20)) {
          fail("shutdown did not complete in 20 s; steps " + steps);
        }
      }
      done.get(1, TimeUnit.SECONDS);
      while (invoker.isRunning()) {
        cycle(); // the engine's last cycle ends its role
      }
    }

    // ---- the law -----------------------------------------------------------------------------

    private void checkTheLaw() {
      String where = "steps " + steps;
      List<DeadLetter> letters = sink.letters();
      Map<String, Integer> lineLetters = new HashMap<>();
      Map<String, Integer> userLetters = new HashMap<>(); // "line@user"
      Set<String> redriven = new HashSet<>(); // "line@user" of letters marked redriven
      for (int id = 0; id < letters.size(); id++) {
        DeadLetter letter = letters.get(id);
        String line = letter.payloadText();
        if (LINE_REASONS.contains(letter.reason())) {
          lineLetters.merge(line, 1, Integer::sum);
        } else if (marked.contains((long) id)) {
          redriven.add(line + "@" + letter.recipient()); // its outcome: received, or a new letter
        } else if (letter.reason() != Reason.SEQUENCE_GAP) {
          userLetters.merge(line + "@" + letter.recipient(), 1, Integer::sum);
        }
      }

      // Lines: each malformed one is exactly one letter; each event line is used, or one letter.
      TreeMap<Long, String> used = new TreeMap<>();
      Map<String, Integer> sentCount = new HashMap<>();
      sent.forEach(line -> sentCount.merge(line, 1, Integer::sum));
      for (Map.Entry<String, Integer> entry : sentCount.entrySet()) {
        String line = entry.getKey();
        int times = entry.getValue();
        int refused = lineLetters.getOrDefault(line, 0);
        ParseResult parsed = EventParser.parse((line + "\n").getBytes(StandardCharsets.US_ASCII));
        if (!(parsed instanceof io.followermaze.protocol.Event event)) {
          assertThat(refused)
              .as("letters for malformed line '" + line + "' " + where)
              .isEqualTo(times);
          continue;
        }
        assertThat(refused)
            .as("letters for line '" + line + "' " + where)
            .isBetween(times - 1, times);
        if (refused < times) {
          String before = used.put(event.sequence(), line);
          if (before != null) {
            fail(
                "two lines with number "
                    + event.sequence()
                    + " were both used: '"
                    + before
                    + "' and '"
                    + line
                    + "' "
                    + where);
          }
        }
      }
      for (String line : lineLetters.keySet()) {
        assertThat(sentCount).as("a line letter for a line never sent: " + line).containsKey(line);
      }

      // Routing, in sequence order, over the events used.
      Map<Integer, Set<Integer>> followers = new HashMap<>();
      Map<String, Integer> receivedBy = new HashMap<>(); // "line@user" -> times
      for (SimConnection connection : connections) {
        int user = userOf.get(connection);
        long last = 0;
        for (String line : connection.lines()) {
          long sequence = Long.parseLong(line.substring(0, line.indexOf('|')));
          if (redriven.contains(line + "@" + user)) {
            receivedBy.merge(line + "@" + user, 1, Integer::sum); // redriven: out of live order
            continue;
          }
          if (sequence <= last) {
            fail("user " + user + " received " + sequence + " after " + last + " " + where);
          }
          last = sequence;
          receivedBy.merge(line + "@" + user, 1, Integer::sum);
        }
      }
      Set<String> accounted = new HashSet<>();
      for (Map.Entry<Long, String> entry : used.entrySet()) {
        String line = entry.getValue();
        String[] f = line.split("\\|");
        Set<Integer> concerned = new HashSet<>();
        boolean broadcast = false;
        switch (f[1]) {
          case "F" -> {
            followers
                .computeIfAbsent(Integer.parseInt(f[3]), k -> new HashSet<>())
                .add(Integer.parseInt(f[2]));
            concerned.add(Integer.parseInt(f[3]));
          }
          case "U" ->
              followers
                  .computeIfAbsent(Integer.parseInt(f[3]), k -> new HashSet<>())
                  .remove(Integer.parseInt(f[2]));
          case "B" -> broadcast = true;
          case "P" -> concerned.add(Integer.parseInt(f[3]));
          case "S" -> concerned.addAll(followers.getOrDefault(Integer.parseInt(f[2]), Set.of()));
          default -> fail("unexpected type in " + line);
        }
        for (int user = 1; user <= USERS; user++) {
          String key = line + "@" + user;
          int outcomes = receivedBy.getOrDefault(key, 0) + userLetters.getOrDefault(key, 0);
          if (concerned.contains(user)) {
            if (outcomes != 1) {
              fail(
                  "event '"
                      + line
                      + "' for user "
                      + user
                      + ": received "
                      + receivedBy.getOrDefault(key, 0)
                      + " times, "
                      + userLetters.getOrDefault(key, 0)
                      + " dead letters (want exactly one of the two) "
                      + where);
            }
          } else if (broadcast ? outcomes > 1 : outcomes != 0) {
            fail(
                "event '"
                    + line
                    + "' does not concern user "
                    + user
                    + " (broadcast: "
                    + broadcast
                    + ") yet: received "
                    + receivedBy.getOrDefault(key, 0)
                    + " times, "
                    + userLetters.getOrDefault(key, 0)
                    + " dead letters "
                    + where);
          }
          accounted.add(key);
        }
      }
      for (String key : receivedBy.keySet()) {
        if (!accounted.contains(key)) {
          fail("received a line the engine did not use: " + key + " " + where);
        }
      }
      for (String key : userLetters.keySet()) {
        if (!accounted.contains(key)) {
          fail("a dead letter for a line the engine did not use: " + key + " " + where);
        }
      }
    }
  }
}
