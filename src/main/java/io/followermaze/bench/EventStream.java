package io.followermaze.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The event source's side of a bench (the {@code bench-source} thread): generates the workload in
 * batches of up to {@code --max-batch} events, shuffles each batch (the source sends out of order),
 * and writes them, paced to {@code --rate} when one is set, until {@code --events} are sent or
 * {@code --duration} is up (then a closing broadcast alone).
 */
final class EventStream implements Runnable {

  private final BenchOptions options;
  private final SocketChannel source;
  private final long warmups;
  private final Workload workload;
  private final SendTimes sendTimes;
  private final Verdicts verdicts;
  private final Runnable onStart;
  private volatile long startNanos;
  private volatile long sent;
  private volatile boolean done;

  /** Streams after {@code warmups} warm-up broadcasts; {@code onStart} runs as the clock starts. */
  EventStream(
      BenchOptions options,
      SocketChannel source,
      long warmups,
      Workload workload,
      SendTimes sendTimes,
      Verdicts verdicts,
      Runnable onStart) {
    this.options = options;
    this.source = source;
    this.warmups = warmups;
    this.workload = workload;
    this.sendTimes = sendTimes;
    this.verdicts = verdicts;
    this.onStart = onStart;
  }

  /** When streaming started ({@link System#nanoTime()}; 0: not yet). */
  long startNanos() {
    return startNanos;
  }

  /** The last sequence number sent so far. */
  long sent() {
    return sent;
  }

  /** Whether every event was generated and written (or writing failed). */
  boolean done() {
    return done;
  }

  @Override
  public void run() {
    SplittableRandom shuffle = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
    ByteBuffer outBuffer = ByteBuffer.allocateDirect(32 * 1024);
    byte[] batch = new byte[options.maxBatch() * 48];
    int[] starts = new int[options.maxBatch() + 1];
    int[] order = new int[options.maxBatch()];
    onStart.run();
    startNanos = System.nanoTime();
    try {
      long rate = options.pace().eventsPerSecond();
      long endNanos =
          options.pace().duration() == null
              ? Long.MAX_VALUE
              : startNanos + options.pace().duration().toNanos();
      long lastSequence = options.pace().duration() == null ? options.events() : Long.MAX_VALUE;
      for (long first = warmups + 1; first <= lastSequence && !verdicts.finished(); ) {
        if (rate > 0 && isAhead(first - warmups - 1, rate)) {
          flush(outBuffer);
          pace(first - warmups - 1, rate);
        }
        if (lastSequence == Long.MAX_VALUE && System.nanoTime() >= endNanos) {
          lastSequence = first; // Time is up: this batch is the closing broadcast alone.
        }
        int size =
            (int) Math.min(1 + shuffle.nextInt(options.maxBatch()), lastSequence - first + 1);
        for (int i = 0; i < size; i++) {
          long sequence = first + i;
          starts[i + 1] = workload.next(sequence, sequence == lastSequence, batch, starts[i]);
          order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
          int j = shuffle.nextInt(i + 1);
          int swap = order[i];
          order[i] = order[j];
          order[j] = swap;
        }
        workload.publish();
        sendTimes.batchSent(first, System.nanoTime());
        for (int i = 0; i < size; i++) {
          int line = order[i];
          int length = starts[line + 1] - starts[line];
          if (outBuffer.remaining() < length) {
            flush(outBuffer);
          }
          outBuffer.put(batch, starts[line], length);
        }
        first += size;
        sent = first - 1;
      }
      flush(outBuffer);
    } catch (IOException e) {
      verdicts.fail("sending events failed: " + e.getMessage());
    }
    done = true;
  }

  private boolean isAhead(long count, long rate) {
    return startNanos + (long) (count * (1e9 / rate)) - System.nanoTime() > 100_000;
  }

  /** Waits until {@code count} events are not ahead of {@code rate} per second since the start. */
  private void pace(long count, long rate) {
    long due = startNanos + (long) (count * (1e9 / rate));
    for (long ahead = due - System.nanoTime();
        ahead > 100_000 && !verdicts.finished();
        ahead = due - System.nanoTime()) {
      LockSupport.parkNanos(ahead);
    }
  }

  private void flush(ByteBuffer buffer) throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      source.write(buffer);
    }
    buffer.clear();
  }
}
