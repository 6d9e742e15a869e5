package io.followermaze.dlq;

/**
 * A redrive asked for by an operator, carried out by the running server.
 *
 * @param id the request's id
 * @param filter which letters
 * @param ratePerSecond most letters redriven per second
 * @param status {@code pending}, {@code running}, {@code done}, {@code interrupted} (the server
 *     stopped first; resumed at its next start) or {@code failed} ({@code error} says why;
 *     resumable with {@code dlq redrive --resume})
 * @param redriven how many were queued for their (connected) recipient
 * @param skipped how many matched but whose recipient was not connected
 * @param cursor the last letter handled: a resumed request continues after it
 * @param error why it failed, or null
 */
public record RedriveRequest(
    long id,
    DeadLetterFilter filter,
    int ratePerSecond,
    String status,
    long redriven,
    long skipped,
    ParkedCursor cursor,
    String error) {

  /** This request with {@code status} and the progress so far. */
  public RedriveRequest progressed(
      String status, long redriven, long skipped, ParkedCursor cursor, String error) {
    return new RedriveRequest(id, filter, ratePerSecond, status, redriven, skipped, cursor, error);
  }

  /** Whether the request has ended for good. */
  public boolean finished() {
    return status.equals("done");
  }
}
