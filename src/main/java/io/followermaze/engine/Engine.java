package io.followermaze.engine;

import io.followermaze.delivery.ClientSession;
import io.followermaze.delivery.ConnectedClients;
import io.followermaze.delivery.UndeliveredSink;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterSink;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.engine.EngineCommand.Checkpoint;
import io.followermaze.engine.EngineCommand.ClientConnected;
import io.followermaze.engine.EngineCommand.ClientEnded;
import io.followermaze.engine.EngineCommand.Redeliver;
import io.followermaze.engine.EngineCommand.Shutdown;
import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.engine.EngineCommand.SourceDisconnected;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.Malformed;
import io.followermaze.protocol.ParseResult;
import io.followermaze.routing.FollowGraph;
import io.followermaze.routing.Recipients;
import io.followermaze.routing.Router;
import io.followermaze.sequencing.GapTrigger;
import io.followermaze.sequencing.Sequencer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: one platform thread that takes {@link EngineCommand}s from its inbox and owns
 * the sequencer, the follow graph, the router and the session registry. Nothing it owns is locked
 * or shared; other threads see only {@link #stats()}. (Longer than our other classes on purpose: it
 * is where every command meets the state it changes; delivery policy and dead letters live in
 * {@link ConnectedClients} and {@link EngineDeadLetters}.)
 *
 * <p>Per source chunk: malformed lines become dead letters, events go through the sequencer, every
 * released event is routed, each recipient's notification is queued in its outbox (or dead-lettered
 * when the user is not connected or too slow), and at the end of the chunk each session that got
 * something is woken once ({@link ConnectedClients}). Dead letters go through {@link
 * EngineDeadLetters}: no object per offline recipient. An exception in processing is logged,
 * counted and skipped: the engine never dies of one (only of a broken {@link OrderedLog}).
 */
public final class Engine implements Agent, Sequencer.Listener, Recipients, UndeliveredSink {

  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long OVERFLOW_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final EngineSettings settings;

  /** Where ordered events go instead of routing (a sequencer), or null. */
  private final OrderedLog ordered;

  /** Whether a notification for a user without a session becomes a dead letter here. */
  private final IntPredicate ownsOffline;

  /** Whether the input is already in its final order (a gateway reading the log). */
  private final boolean preordered;

  private final EpochClock epochClock;
  private final NanoClock nanoClock;
  private final Inbox inbox;
  private final Sequencer sequencer;
  private final Router router;
  private final ConnectedClients clients;
  private final EngineDeadLetters deadLetters;
  private final long gapTimeoutNanos;
  private volatile Thread thread;

  private String sourceOrigin = "source";

  /**
   * The wall-clock time of the command being handled: one clock read per command, not per letter.
   */
  private long commandMillis;

  /** The monotonic time of the command being handled. */
  private long commandNanos;

  private int deferredChunks;

  /**
   * Source chunks handled back to back, while more wait in the inbox, before the writers are woken:
   * each writer then sends several chunks' notifications with one wake-up and one write (the
   * figures are in docs/benchmarks.md).
   */
  private static final int MAX_DEFERRED_CHUNKS = 4;

  private long lastSourceInputNanos;
  private long eventsReceived;
  private long linesMalformed;
  private long eventsDelivered;
  private long processingErrors;
  private int liveSessions;
  private long clientsRegistered;
  private CompletableFuture<Void> shutdown;
  private boolean running = true;
  private boolean replaying;
  private volatile EngineStats stats = EngineStats.EMPTY;

  /** An engine that is not yet started. */
  public Engine(
      EngineSettings settings,
      DeadLetterSink deadLetters,
      EpochClock epochClock,
      NanoClock nanoClock) {
    this(settings, new NodeMode.SingleNode(), deadLetters, epochClock, nanoClock);
  }

  /** An engine that is not yet started, in a node of {@code mode}. */
  public Engine(
      EngineSettings settings,
      NodeMode mode,
      DeadLetterSink deadLetters,
      EpochClock epochClock,
      NanoClock nanoClock) {
    this.settings = settings;
    this.deadLetters = new EngineDeadLetters(deadLetters);
    this.epochClock = epochClock;
    this.nanoClock = nanoClock;
    this.inbox = new Inbox(settings.inboxCapacity());
    this.sequencer = new Sequencer(this, settings.minGapDistance(), settings.reorderWindow());
    switch (mode) {
      case NodeMode.SingleNode single -> {
        ordered = null;
        ownsOffline = user -> true;
        preordered = false;
      }
      case NodeMode.Sequencer sequencing -> {
        ordered = sequencing.log();
        ownsOffline = user -> false;
        preordered = false;
        if (sequencing.resumeAfter() > 0) {
          sequencer.resumeAfter(sequencing.resumeAfter());
        }
      }
      case NodeMode.Gateway gateway -> {
        ordered = null;
        ownsOffline = gateway.ownsOffline();
        preordered = true;
      }
    }
    this.router = new Router(new FollowGraph(), this);
    this.clients = new ConnectedClients(settings.clientLimits(), settings.clientLinger(), this);
    this.gapTimeoutNanos = settings.gapTimeout().toNanos();
  }

  /** The engine runs as one role (see {@code lifecycle.Roles}), on its own thread. */
  @Override
  public String roleName() {
    return "engine";
  }

  @Override
  public void onStart() {
    thread = Thread.currentThread();
    inbox.bindConsumer(thread);
    lastSourceInputNanos = nanoClock.nanoTime();
  }

  /**
   * Hands a command to the engine thread; blocks while its inbox is full. Once the engine has
   * stopped, a command is refused instead (a redelivery's answer completes exceptionally), never
   * left waiting for ever.
   */
  public void submit(EngineCommand command) {
    if (!inbox.put(command)) {
      refuse(command);
    } else if (inbox.closed()) {
      inbox.leftovers().forEach(this::refuse);
    }
  }

  private void refuse(EngineCommand command) {
    IllegalStateException stopped = new IllegalStateException("the engine has stopped");
    switch (command) {
      case Redeliver redeliver -> redeliver.queued().completeExceptionally(stopped);
      case Shutdown request -> request.done().complete(null);
      case Checkpoint checkpoint -> checkpoint.stored().completeExceptionally(stopped);
      case ClientConnected connected -> {
        connected.queued().completeExceptionally(stopped);
        connected.session().close(Reason.CONNECTION_LOST, "the server has stopped");
      }
      case SourceChunk chunk ->
          log.warn(
              "{} lines from {} arrived after the engine stopped and were not processed",
              chunk.count(),
              chunk.origin());
      case SourceDisconnected disconnected -> {}
      case ClientEnded ended -> {}
    }
  }

  /**
   * Asks the engine to release what is held, retire every session and stop once all have ended.
   * Submit it after the event source has stopped.
   */
  public CompletableFuture<Void> shutdown() {
    return shutdown(Duration.ofDays(1));
  }

  /**
   * As {@link #shutdown()}, but if the engine does not take the request within {@code patience}
   * (its inbox stays full: it is stuck, e.g. behind a failing dead-letter store), the answer
   * completes exceptionally instead of waiting for ever.
   */
  public CompletableFuture<Void> shutdown(Duration patience) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!inbox.offer(new Shutdown(done), patience.toNanos())) {
      done.completeExceptionally(
          new java.util.concurrent.TimeoutException(
              "the engine took no shutdown request within "
                  + patience
                  + ": it is stuck (see the errors above)"));
    }
    return done;
  }

  /** The counters as of the last batch. */
  public EngineStats stats() {
    return stats;
  }

  /**
   * One duty cycle: a command, or an idle wait (the engine parks itself, woken by new input); ends
   * the role, as expected, once shutdown has completed.
   */
  @Override
  public int doWork() {
    if (!running) {
      throw new AgentTerminationException(true);
    }
    EngineCommand command = inbox.poll();
    try {
      if (command == null) {
        idle();
      } else {
        try {
          commandMillis = epochClock.time();
          commandNanos = nanoClock.nanoTime();
          handle(command);
        } catch (OrderedLog.Unwritable e) {
          throw e;
        } catch (RuntimeException e) {
          processingErrors++;
          log.error(
              "engine failed to process {}; skipping it", command.getClass().getSimpleName(), e);
        }
      }
    } catch (OrderedLog.Unwritable e) {
      deadLetters.handOver();
      throw new AgentTerminationException(e.getMessage(), e);
    }
    deadLetters.handOver();
    return command == null ? 0 : 1;
  }

  @Override
  public void onClose() {
    inbox.close().forEach(this::refuse);
    publishStats();
    log.info("engine stopped: {}", stats);
  }

  private void handle(EngineCommand command) {
    switch (command) {
      case SourceChunk chunk -> processChunk(chunk);
      case SourceDisconnected disconnected -> {
        sequencer.skipAllGaps(GapTrigger.SOURCE_DISCONNECTED, nanoClock.nanoTime());
        endBatch();
      }
      case ClientConnected connected -> {
        connect(connected.session());
        connected.queued().complete(redeliver(connected.parked()));
      }
      case Redeliver redeliver -> redeliver.queued().complete(redeliver(redeliver.letters()));
      case ClientEnded ended -> end(ended.session());
      case Checkpoint checkpoint -> checkpoint(checkpoint.stored());
      case Shutdown request -> beginShutdown(request.done());
    }
  }

  /**
   * Every earlier command is handled (the inbox is in order); its letters, once stored, complete
   * {@code stored}. The sink's answer completes on the flusher's thread: nothing waits here.
   */
  private void checkpoint(CompletableFuture<Void> stored) {
    deadLetters
        .stored()
        .whenComplete(
            (done, failed) -> {
              if (failed == null) {
                stored.complete(null);
              } else {
                stored.completeExceptionally(failed);
              }
            });
  }

  private void processChunk(SourceChunk chunk) {
    long now = nanoClock.nanoTime();
    lastSourceInputNanos = now;
    sourceOrigin = chunk.origin();
    replaying = chunk.replay();
    ParseResult[] items = chunk.items();
    for (int i = 0; i < chunk.count(); i++) {
      switch (items[i]) {
        case Event event -> {
          eventsReceived++;
          try {
            if (preordered) {
              inOrder(event);
            } else {
              sequencer.offer(event, now);
            }
          } catch (OrderedLog.Unwritable e) {
            throw e;
          } catch (RuntimeException e) {
            failed(event, e);
          }
        }
        case Malformed malformed -> {
          linesMalformed++;
          deadLetter(DeadLetter.malformed(malformed, sourceOrigin, commandMillis));
        }
      }
    }
    if (deferredChunks < MAX_DEFERRED_CHUNKS && inbox.size() > 0) {
      deferredChunks++; // More input waits: wake the writers once for several chunks.
      return;
    }
    endBatch();
  }

  private void idle() {
    long now = nanoClock.nanoTime();
    commandMillis = epochClock.time();
    commandNanos = now;
    if (ordered != null) {
      ordered.endOfBatch(); // nothing waits, but a broken log is noticed while idle too
    }
    if (sequencer.buffered() > 0 && now - lastSourceInputNanos >= gapTimeoutNanos) {
      sequencer.skipAllGaps(GapTrigger.TIMEOUT, now);
      endBatch();
      return;
    }
    clients.evictStalled(now);
    if (clients.wakeupsPending()) {
      endBatch();
      // Overflow to move: look again soon; only lingering writers: sleep until the first is due.
      long due = clients.wakeupsDueNanos() - nanoClock.nanoTime();
      inbox.await(Math.max(OVERFLOW_PARK_NANOS, Math.min(due, IDLE_PARK_NANOS)));
      return;
    }
    publishStats();
    inbox.await(IDLE_PARK_NANOS);
  }

  private void connect(ClientSession session) {
    liveSessions++;
    if (shutdown != null) {
      session.retire();
      return;
    }
    clientsRegistered++;
    ClientSession replaced = clients.register(session);
    if (replaced != null) {
      log.info(
          "user {} connected again from {}; the older connection {} is retired",
          session.userId(),
          session.origin(),
          replaced.origin());
      replaced.retire();
    }
  }

  private List<Long> redeliver(List<ParkedLetter> letters) {
    List<Long> queued = new ArrayList<>();
    for (ParkedLetter letter : letters) {
      if (clients.queueRedriven(letter.recipient(), letter.event(), commandNanos)) {
        queued.add(letter.id());
      }
    }
    endBatch();
    return queued;
  }

  private void end(ClientSession session) {
    liveSessions--;
    clients.ended(session);
    session.drainUndelivered(this);
    if (shutdown != null && liveSessions == 0) {
      finishShutdown();
    }
  }

  private void beginShutdown(CompletableFuture<Void> done) {
    shutdown = done;
    sequencer.skipAllGaps(GapTrigger.SHUTDOWN, nanoClock.nanoTime());
    endBatch();
    clients.retireAll();
    if (liveSessions == 0) {
      finishShutdown();
    }
  }

  private void finishShutdown() {
    deadLetters.handOver();
    running = false;
    publishStats();
    shutdown.complete(null);
  }

  private void endBatch() {
    deferredChunks = 0;
    if (ordered != null) {
      ordered.endOfBatch();
    }
    clients.endBatch(nanoClock.nanoTime(), lastSourceInputNanos);
    publishStats();
  }

  private void publishStats() {
    stats =
        new EngineStats(
            eventsReceived,
            linesMalformed,
            eventsDelivered,
            clients.notificationsQueued(),
            deadLetters.raised(),
            clients.size(),
            sequencer.buffered(),
            sequencer.next(),
            clientsRegistered,
            processingErrors + deadLetters.refusals());
  }

  // Sequencer.Listener

  @Override
  public void inOrder(Event event) {
    eventsDelivered++;
    try {
      if (ordered != null) {
        ordered.append(event);
      } else if (replaying) {
        router.replay(event);
      } else {
        router.route(event);
      }
    } catch (RuntimeException e) {
      failed(event, e); // One event's failure is that event's, not the rest of the stream's.
      if (e instanceof OrderedLog.Unwritable) {
        throw e; // ... unless the log behind it is broken.
      }
    }
  }

  /**
   * An event whose processing threw: counted, logged (the first few in full), kept as a dead
   * letter.
   */
  private void failed(Event event, RuntimeException e) {
    processingErrors++;
    if (processingErrors <= 20) {
      log.error(
          "engine failed to process event {}; it becomes a PROCESSING_FAILED dead letter and the stream goes on",
          event.sequence(),
          e);
    }
    deadLetters.rejected(
        Reason.PROCESSING_FAILED, event, sourceOrigin, commandMillis, "processing failed: " + e);
  }

  @Override
  public void duplicate(Event event, String why) {
    deadLetters.rejected(Reason.DUPLICATE_SEQUENCE, event, sourceOrigin, commandMillis, why);
  }

  @Override
  public void outOfRange(Event event, String why) {
    deadLetters.rejected(Reason.SEQUENCE_OUT_OF_RANGE, event, sourceOrigin, commandMillis, why);
  }

  @Override
  public void gap(long first, long last, int heldBehind, long waitedNanos, GapTrigger trigger) {
    deadLetters.gap(first, last, heldBehind, waitedNanos, trigger, sourceOrigin, commandMillis);
  }

  // Recipients

  @Override
  public void user(int user, Event event) {
    ClientSession session = clients.get(user);
    if (session == null) {
      if (!ownsOffline.test(user)) {
        return;
      }
      deadLetters.offline(event, user, sourceOrigin, commandMillis);
    } else {
      clients.queue(session, event, commandNanos);
    }
  }

  @Override
  public void everyoneConnected(Event event) {
    clients.queueToEveryone(event, commandNanos);
  }

  // UndeliveredSink (also called by session writers)

  @Override
  public void notDelivered(ClientSession session, Event event, Reason reason, String error) {
    boolean engineThread = Thread.currentThread() == thread;
    DeadLetter letter =
        DeadLetter.undeliverable(
            reason,
            event,
            session.userId(),
            session.origin(),
            engineThread ? commandMillis : epochClock.time(),
            error);
    if (engineThread) {
      deadLetter(letter);
    } else {
      deadLetters.fromOtherThread(letter);
    }
  }

  /** A dead letter raised on the engine thread. */
  private void deadLetter(DeadLetter letter) {
    deadLetters.add(letter);
  }
}
