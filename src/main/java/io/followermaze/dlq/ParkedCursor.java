package io.followermaze.dlq;

/**
 * A position in a redrive's walk over parked letters, which goes user by user and, for each user,
 * in sequence order (the order the user's notifications had): the last letter handled.
 *
 * @param user its recipient
 * @param sequence its sequence number
 * @param letterId its id (ties between equal sequence numbers go by id)
 */
public record ParkedCursor(int user, long sequence, long letterId) {

  /** Before the first parked letter. */
  public static final ParkedCursor START = new ParkedCursor(-1, Long.MIN_VALUE, -1);

  /** The position of {@code letter}. */
  public static ParkedCursor at(StoredDeadLetter letter) {
    return new ParkedCursor(letter.letter().recipient(), letter.letter().sequence(), letter.id());
  }

  /** Whether {@code letter} (of this cursor's user) comes after this position. */
  public boolean before(long sequence, long letterId) {
    return sequence > this.sequence || (sequence == this.sequence && letterId > this.letterId);
  }
}
