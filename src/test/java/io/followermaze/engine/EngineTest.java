package io.followermaze.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.InMemoryDeadLetterSink;
import io.followermaze.dlq.Reason;
import io.followermaze.lifecycle.Roles;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.ParseResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

class EngineTest {

  /** An engine with small settings, running as a role of {@code roles}. */
  private static Engine start(
      Roles roles, NodeMode part, io.followermaze.dlq.DeadLetterSink deadLetters) {
    Engine engine =
        new Engine(
            new EngineSettings(
                1_000, 1 << 16, Duration.ofMinutes(1), ClientLimits.DEFAULTS, Duration.ZERO, 8),
            part,
            deadLetters,
            SystemEpochClock.INSTANCE,
            SystemNanoClock.INSTANCE);
    roles.start(engine, NoOpIdleStrategy.INSTANCE);
    return engine;
  }

  @Test
  void anEventWhoseProcessingThrowsBecomesADeadLetterAndTheRestOfTheChunkGoesOn() throws Exception {
    List<Long> appended = new CopyOnWriteArrayList<>();
    OrderedLog log =
        new OrderedLog() {
          @Override
          public void append(io.followermaze.protocol.Event event) {
            if (event.sequence() == 2) {
              throw new IllegalStateException("boom");
            }
            appended.add(event.sequence());
          }

          @Override
          public void endOfBatch() {}
        };
    InMemoryDeadLetterSink deadLetters = new InMemoryDeadLetterSink();
    Roles roles = new Roles();
    Engine engine = start(roles, new NodeMode.Sequencer(log, 0), deadLetters);
    ParseResult[] items = {
      EventParser.parse("1|B\n".getBytes()),
      EventParser.parse("2|B\n".getBytes()),
      EventParser.parse("3|B\n".getBytes()),
      EventParser.parse("4|B\n".getBytes())
    };
    engine.submit(new EngineCommand.SourceChunk(items, items.length, "source#1"));
    engine.shutdown().get();
    roles.close();

    assertThat(appended).containsExactly(1L, 3L, 4L);
    await().until(() -> deadLetters.withReason(Reason.PROCESSING_FAILED).size() == 1);
    DeadLetter failed = deadLetters.withReason(Reason.PROCESSING_FAILED).getFirst();
    assertThat(failed.sequence()).isEqualTo(2);
    assertThat(failed.error()).contains("boom");
    assertThat(engine.stats().processingErrors()).isEqualTo(1);
  }

  /** A count-only sink: keeps no offline letters, records what it is handed and counted. */
  private static final class CountingOnlySink implements io.followermaze.dlq.DeadLetterSink {
    final java.util.concurrent.atomic.AtomicLong counted =
        new java.util.concurrent.atomic.AtomicLong();
    final List<DeadLetter> handed = new CopyOnWriteArrayList<>();

    @Override
    public void accept(DeadLetter letter) {
      handed.add(letter);
    }

    @Override
    public boolean keeps(Reason reason) {
      return reason != Reason.USER_NOT_CONNECTED;
    }

    @Override
    public void countOnly(Reason reason, long letters) {
      assertThat(reason).isEqualTo(Reason.USER_NOT_CONNECTED);
      counted.addAndGet(letters);
    }
  }

  @Test
  void offlineLettersThatTheSinkDoesNotKeepAreCountedNotEncoded() throws Exception {
    CountingOnlySink sink = new CountingOnlySink();
    Roles roles = new Roles();
    Engine engine = start(roles, new NodeMode.SingleNode(), sink);
    ParseResult[] items = {
      EventParser.parse("1|F|2|1\n".getBytes()), // to offline 1
      EventParser.parse("2|F|3|1\n".getBytes()), // to offline 1
      EventParser.parse("3|S|1\n".getBytes()), // to offline followers 2 and 3
      EventParser.parse("4|P|5|6\n".getBytes()), // to offline 6
      EventParser.parse("5|X\n".getBytes()) // malformed: still handed over whole
    };
    engine.submit(new EngineCommand.SourceChunk(items, items.length, "source#1"));
    engine.shutdown().get();
    roles.close();

    assertThat(sink.counted).hasValue(5);
    assertThat(sink.handed).extracting(DeadLetter::reason).containsExactly(Reason.UNKNOWN_TYPE);
    assertThat(engine.stats().deadLetters()).isEqualTo(6);
  }

  @Test
  void aRedeliveryHandedToAStoppedEngineIsRefusedNotLeftWaitingForEver() throws Exception {
    Roles roles = new Roles();
    Engine engine = start(roles, new NodeMode.SingleNode(), new InMemoryDeadLetterSink());
    engine.shutdown().get();
    roles.close();

    java.util.concurrent.CompletableFuture<List<Long>> queued =
        new java.util.concurrent.CompletableFuture<>();
    engine.submit(new EngineCommand.Redeliver(List.of(), queued));

    assertThat(queued).as("answered at once, exceptionally").isCompletedExceptionally();
  }
}
