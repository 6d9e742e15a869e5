package io.followermaze.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bench's warm-up: the server gives no sign that a client's id has been read, so broadcasts go
 * out one at a time until every client has received one; each client must then receive every later
 * event meant for it.
 */
final class WarmUp {

  private static final long MAX_WARMUPS = 300;
  private static final long WARMUPS_BEFORE_GIVING_UP_ON_NONE = 50;
  private static final long WARMUP_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private WarmUp() {}

  /**
   * Sends warm-up broadcasts until every client has received one; returns the last one's sequence
   * number (the stream continues after it). Fails the verdict when clients never register.
   */
  static long run(
      SocketChannel source, List<VerifyingClient> clients, Verdicts verdicts, long deadline)
      throws IOException, InterruptedException {
    for (long warmup = 1; warmup <= MAX_WARMUPS && System.nanoTime() < deadline; warmup++) {
      verdicts.warmups(warmup);
      source.write(ByteBuffer.wrap((warmup + "|B\n").getBytes(StandardCharsets.US_ASCII)));
      long roundEnd = System.nanoTime() + WARMUP_ROUND_NANOS;
      while (System.nanoTime() < roundEnd
          && !allRegistered(clients)
          && verdicts.failure() == null) {
        Thread.sleep(2);
      }
      if (allRegistered(clients)) {
        return warmup;
      }
      if (warmup >= WARMUPS_BEFORE_GIVING_UP_ON_NONE
          && clients.stream().noneMatch(VerifyingClient::registered)) {
        break;
      }
    }
    long missing = clients.stream().filter(c -> !c.registered()).count();
    verdicts.fail(
        missing
            + " clients never received a warm-up broadcast: either the server did not register them,"
            + " or it has seen sequence number 1 before (each bench run needs a freshly started server)");
    return MAX_WARMUPS;
  }

  private static boolean allRegistered(List<VerifyingClient> clients) {
    for (VerifyingClient client : clients) {
      if (!client.registered()) {
        return false;
      }
    }
    return true;
  }
}
