package io.followermaze.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;

/**
 * Starts the JDK's I/O pollers for virtual threads before the first client can use up the process's
 * file descriptors. The JDK creates them (epoll descriptors and their threads) on the first
 * blocking read or write of a virtual thread; created while descriptors are exhausted, they fail
 * for good and every client writer after that fails at once ("write failed: null"). Created at
 * startup, they survive any later shortage.
 */
final class IoPollers {

  private static volatile boolean started;

  private IoPollers() {}

  /** Makes a virtual thread block on a pipe read once (a no-op after the first call). */
  static synchronized void start() {
    if (started) {
      return;
    }
    try {
      Pipe pipe = Pipe.open();
      try (Pipe.SourceChannel source = pipe.source();
          Pipe.SinkChannel sink = pipe.sink()) {
        Thread reader =
            Thread.ofVirtual()
                .name("io-poller-warm-up")
                .start(
                    () -> {
                      try {
                        source.read(ByteBuffer.allocate(1));
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    });
        Thread.sleep(Duration.ofMillis(5)); // let it block, so that the read poller is used
        sink.write(ByteBuffer.wrap(new byte[] {1}));
        reader.join(Duration.ofSeconds(5));
      }
      started = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the I/O pollers: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
