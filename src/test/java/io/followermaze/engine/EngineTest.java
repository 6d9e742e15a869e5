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
    Engine engine =
        new Engine(
            new EngineSettings(
                1_000, 1 << 16, Duration.ofMinutes(1), ClientLimits.DEFAULTS, Duration.ZERO, 8),
            new ClusterPart(log, user -> false, false, 0),
            deadLetters,
            SystemEpochClock.INSTANCE,
            SystemNanoClock.INSTANCE);
    Roles roles = new Roles();
    roles.start(engine, NoOpIdleStrategy.INSTANCE);
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
}
