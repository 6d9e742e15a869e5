package io.followermaze.dlq;

import io.followermaze.protocol.EventType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An immutable run of dead letters in their compact binary form: what producers hand to the sink
 * and what the store commits as one row, so the hot path allocates no object per letter. Built by a
 * {@link DeadLetterBlockWriter}; {@link #entries()} and {@link #letters()} decode it.
 *
 * <p>Store once, point many: a block holds <em>entries</em>, each one thing the server could not
 * use or deliver (an event, a malformed line, a gap) with its context stored once, followed by the
 * recipients it could not reach. A status update to 1,000 offline followers is one entry of its
 * payload plus ~2 bytes per follower, not 1,000 copies.
 *
 * <p>Layout (version 2): a version byte; per entry a head byte (reason code, flags), the type code,
 * the origin index, the time relative to the base time, the sequence number + 1 (0: none), the
 * attempt, the payload, the original length and error text only when they are not the usual ones,
 * then each recipient + 1 and a 0 that ends the list (an empty list: a letter with no recipient);
 * then a trailer: the entry and letter counts, the origins the entries refer to, the base time (8
 * bytes) and the trailer's offset (4 bytes), so the writer fills one buffer front to back. Integers
 * are unsigned LEB128 varints.
 */
public final class DeadLetterBlock {

  static final byte VERSION = 2;
  static final String WHAT = "dead-letter block";

  private final byte[] data;
  private final int letters;
  private final int[] countsByReason;
  private final long firstMillis;
  private final long lastMillis;
  private final CompletableFuture<Void> fence;

  DeadLetterBlock(
      byte[] data, int letters, int[] countsByReason, long firstMillis, long lastMillis) {
    this(data, letters, countsByReason, firstMillis, lastMillis, null);
  }

  private DeadLetterBlock(
      byte[] data,
      int letters,
      int[] countsByReason,
      long firstMillis,
      long lastMillis,
      CompletableFuture<Void> fence) {
    this.data = data;
    this.letters = letters;
    this.countsByReason = countsByReason;
    this.firstMillis = firstMillis;
    this.lastMillis = lastMillis;
    this.fence = fence;
  }

  /**
   * A fence in the collector's queue, no letter: {@code stored} completes once every block queued
   * before it is stored, exceptionally if the collector gives up on them. It weighs 16 bytes, so
   * that fences, too, are bounded by the queue.
   */
  static DeadLetterBlock fence(CompletableFuture<Void> stored) {
    return new DeadLetterBlock(new byte[16], 0, new int[Reason.values().length], 0, 0, stored);
  }

  /** The future of a {@link #fence}; null for a block of letters. */
  CompletableFuture<Void> fenceFuture() {
    return fence;
  }

  /**
   * One entry: a payload and its context, stored once, and the recipients it failed to reach.
   *
   * @param reason why
   * @param type the event type, or null
   * @param origin where it came from
   * @param timeMillis when it became a dead letter
   * @param sequence the sequence number, or {@link DeadLetter#NONE}
   * @param attempt delivery attempts so far
   * @param payload the original bytes (the head of an over-long line)
   * @param payloadLength the original length
   * @param error the error text
   * @param recipients the users it was for (empty: a letter with no recipient)
   */
  public record Entry(
      Reason reason,
      EventType type,
      String origin,
      long timeMillis,
      long sequence,
      int attempt,
      byte[] payload,
      long payloadLength,
      String error,
      int[] recipients) {

    /** This entry for {@code others} instead of its recipients. */
    public Entry withRecipients(int[] others) {
      return new Entry(
          reason,
          type,
          origin,
          timeMillis,
          sequence,
          attempt,
          payload,
          payloadLength,
          error,
          others);
    }

    /** How many letters the entry stands for: one per recipient, or one when it has none. */
    public int letters() {
      return Math.max(1, recipients.length);
    }

    /** The letter for recipient {@code recipient} (or {@link DeadLetter#NONE}). */
    public DeadLetter letter(int recipient) {
      return new DeadLetter(
          reason,
          payload,
          payloadLength,
          sequence,
          recipient,
          type,
          timeMillis,
          origin,
          attempt,
          error);
    }
  }

  /** A block holding {@code letters}, in order, one entry each. */
  public static DeadLetterBlock of(Collection<DeadLetter> letters) {
    int estimate = 64;
    for (DeadLetter letter : letters) {
      estimate += 64 + letter.payload().length;
    }
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter(estimate);
    letters.forEach(writer::add);
    return writer.take();
  }

  /** A block holding one letter. */
  public static DeadLetterBlock of(DeadLetter letter) {
    return of(List.of(letter));
  }

  /** The encoded bytes (do not modify). */
  public byte[] data() {
    return data;
  }

  /** How many letters the block holds. */
  public int size() {
    return letters;
  }

  /** The encoded size in bytes. */
  public int bytes() {
    return data.length;
  }

  /** The earliest letter's time (epoch ms; 0 when empty). */
  public long firstMillis() {
    return firstMillis;
  }

  /** The latest letter's time (epoch ms; 0 when empty). */
  public long lastMillis() {
    return lastMillis;
  }

  /** How many of them have {@code reason}. */
  public int count(Reason reason) {
    return countsByReason[reason.ordinal()];
  }

  /** The entries, in the order they were added. */
  public List<Entry> entries() {
    return decodeEntries(data);
  }

  /** Every letter, one per entry and recipient, in order. */
  public List<DeadLetter> letters() {
    return decode(data);
  }

  /**
   * Decodes a block's {@link #data()} into letters; throws {@link IllegalArgumentException} if it
   * is not one.
   */
  public static List<DeadLetter> decode(byte[] data) {
    List<DeadLetter> result = new ArrayList<>();
    for (Entry entry : decodeEntries(data)) {
      if (entry.recipients().length == 0) {
        result.add(entry.letter(DeadLetter.NONE));
      }
      for (int recipient : entry.recipients()) {
        result.add(entry.letter(recipient));
      }
    }
    return result;
  }

  /** Receives a block's entries as they are decoded, recipients one by one (no array per entry). */
  public interface Visitor {
    /** An entry's event and context; its {@link Entry#recipients()} is empty here. */
    void entry(Entry entry);

    /** One recipient of the entry last announced. */
    void recipient(int user);

    /** The end of the entry last announced, which had {@code recipients} recipients. */
    void endEntry(int recipients);
  }

  /**
   * Decodes a block's {@link #data()} into entries; throws {@link IllegalArgumentException} if it
   * is not one.
   */
  public static List<Entry> decodeEntries(byte[] data) {
    List<Entry> result = new ArrayList<>();
    visit(
        data,
        new Visitor() {
          private Entry entry;
          private int[] recipients = new int[4];
          private int count;

          @Override
          public void entry(Entry header) {
            entry = header;
            count = 0;
          }

          @Override
          public void recipient(int user) {
            if (count == recipients.length) {
              recipients = java.util.Arrays.copyOf(recipients, count * 2);
            }
            recipients[count++] = user;
          }

          @Override
          public void endEntry(int total) {
            result.add(entry.withRecipients(java.util.Arrays.copyOf(recipients, count)));
          }
        });
    return result;
  }

  /**
   * Decodes a block's {@link #data()} entry by entry into {@code visitor}; throws {@link
   * IllegalArgumentException} if it is not a block (the visitor may have seen part of it by then).
   */
  public static void visit(byte[] data, Visitor visitor) {
    DeadLetterBlockReader reader = new DeadLetterBlockReader(data);
    for (Entry entry; (entry = reader.nextEntry()) != null; ) {
      visitor.entry(entry);
      int recipients = 0;
      for (int user; (user = reader.nextRecipient()) >= 0; recipients++) {
        visitor.recipient(user);
      }
      visitor.endEntry(recipients);
    }
  }
}
