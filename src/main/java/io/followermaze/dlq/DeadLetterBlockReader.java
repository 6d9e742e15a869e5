package io.followermaze.dlq;

import io.followermaze.dlq.DeadLetterBlock.Entry;

/**
 * Reads a block's {@link DeadLetterBlock#data()} entry by entry, each entry's recipients one by
 * one, with no callback per recipient (the indexer's loop; {@link DeadLetterBlock#visit} is built
 * on it). Every bound is checked: a damaged block gives an {@link IllegalArgumentException}, at the
 * latest when the last entry has been read.
 */
public final class DeadLetterBlockReader {

  private final VarintReader in;
  private final String[] origins;
  private final long baseTime;
  private final int entries;
  private final long letters;
  private int read;
  private long decodedLetters;
  private int recipients;
  private boolean inEntry;

  /** A reader of {@code data}; throws {@link IllegalArgumentException} if it is not a block. */
  public DeadLetterBlockReader(byte[] data) {
    if (data.length < 15 || data[0] != DeadLetterBlock.VERSION) {
      throw new IllegalArgumentException(
          "not a "
              + DeadLetterBlock.WHAT
              + " of version "
              + DeadLetterBlock.VERSION
              + " ("
              + data.length
              + " bytes, version "
              + (data.length == 0 ? "none" : data[0])
              + ")");
    }
    Trailer trailer = Trailer.read(DeadLetterBlock.WHAT, data, 2);
    if (trailer.counts()[0] > trailer.offset()) {
      throw new IllegalArgumentException(
          DeadLetterBlock.WHAT + " is damaged: an out-of-range entry count " + trailer.counts()[0]);
    }
    this.entries = (int) trailer.counts()[0];
    this.letters = trailer.counts()[1];
    this.origins = trailer.origins();
    this.baseTime = trailer.baseTime();
    this.in = new VarintReader(DeadLetterBlock.WHAT, data, 1, trailer.offset());
  }

  /**
   * The next entry (its {@link Entry#recipients()} empty: read them with {@link #nextRecipient}),
   * or null after the last one, once the block has been checked whole.
   */
  public Entry nextEntry() {
    while (inEntry) {
      nextRecipient(); // the rest of the previous entry's list
    }
    if (read == entries) {
      in.expectEnd();
      if (decodedLetters != letters) {
        throw in.damaged("it holds " + decodedLetters + " letters, its trailer says " + letters);
      }
      return null;
    }
    read++;
    inEntry = true;
    recipients = 0;
    return EntryCodec.read(in, in, origins, baseTime);
  }

  /** The current entry's next recipient, or -1 at the end of its list. */
  public int nextRecipient() {
    if (!inEntry) {
      return -1;
    }
    long value = in.readVarint();
    if (value == 0) {
      inEntry = false;
      decodedLetters += Math.max(1, recipients);
      return -1;
    }
    if (value < 0 || value - 1 > Integer.MAX_VALUE) {
      throw in.damaged("an out-of-range recipient " + (value - 1) + " at byte " + in.position());
    }
    recipients++;
    return (int) (value - 1);
  }
}
