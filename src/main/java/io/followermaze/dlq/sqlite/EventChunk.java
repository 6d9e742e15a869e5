package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterBlock.Entry;
import io.followermaze.dlq.EntryCodec;
import io.followermaze.dlq.OriginTable;
import io.followermaze.dlq.Trailer;
import io.followermaze.dlq.VarintBuffer;
import io.followermaze.dlq.VarintReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Indexed events, stored once: a row of {@code dlq_event}. {@code lines} holds the original bytes
 * back to back; {@code data} per event a head byte (reason code, flags), the type code, origin
 * index, time relative to the base time, sequence + 1, attempt, payload length, the original length
 * and error only when unusual; then a trailer with the event count, the origins, the base time (8
 * bytes) and the trailer's offset (4 bytes). Recipients are not here: they are the pointers.
 */
final class EventChunk {

  static final int MAX_EVENTS = 4096;
  static final int MAX_BYTES = 256 * 1024;
  private static final byte VERSION = 1;
  private static final String WHAT = "dead-letter event chunk";

  private final long firstEvent;
  private final List<Entry> events;

  private EventChunk(long firstEvent, List<Entry> events) {
    this.firstEvent = firstEvent;
    this.events = events;
  }

  /** The event with number {@code number}, or null if this chunk does not hold it. */
  Entry event(long number) {
    long index = number - firstEvent;
    return index < 0 || index >= events.size() ? null : events.get((int) index);
  }

  long firstEvent() {
    return firstEvent;
  }

  int size() {
    return events.size();
  }

  /** Decodes a row; throws {@link IllegalArgumentException} naming the damage. */
  static EventChunk decode(long firstEvent, byte[] data, byte[] lines) {
    if (data.length < 14 || data[0] != VERSION) {
      throw new IllegalArgumentException("not a " + WHAT + " (" + data.length + " bytes)");
    }
    Trailer trailer = Trailer.read(WHAT + " " + firstEvent, data, 1);
    if (trailer.counts()[0] > trailer.offset()) {
      throw new IllegalArgumentException(
          WHAT + " " + firstEvent + " is damaged: an out-of-range event count");
    }
    int count = (int) trailer.counts()[0];
    String[] origins = trailer.origins();
    long baseTime = trailer.baseTime();
    VarintReader in = new VarintReader(WHAT, data, 1, trailer.offset());
    VarintReader text = new VarintReader(WHAT + " lines", lines);
    List<Entry> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(EntryCodec.read(in, text, origins, baseTime));
      in.readVarint(); // letters pointing here when indexed: for operators reading the row
    }
    in.expectEnd();
    text.expectEnd();
    return new EventChunk(firstEvent, events);
  }

  /** Builds chunks during an indexing pass. */
  static final class Writer {
    private final VarintBuffer data = new VarintBuffer(64 * 1024);
    private final VarintBuffer lines = new VarintBuffer(64 * 1024);
    private final OriginTable origins = new OriginTable();
    private long baseTime;
    private int count;
    private long letters;

    Writer() {
      data.writeByte(VERSION);
    }

    /** Adds an event that {@code letters} letters point to. */
    void add(Entry entry, int letters) {
      if (count == 0) {
        baseTime = entry.timeMillis();
      }
      EntryCodec.write(data, lines, origins, baseTime, entry);
      data.writeVarint(letters);
      count++;
      this.letters += letters;
    }

    boolean isEmpty() {
      return count == 0;
    }

    boolean full() {
      return count >= MAX_EVENTS || data.size() + lines.size() >= MAX_BYTES;
    }

    int size() {
      return count;
    }

    long letters() {
      return letters;
    }

    /** The chunk's {@code data} column; call {@link #lines()} before {@link #reset()}. */
    byte[] data() {
      VarintBuffer out = new VarintBuffer(data.size() + 64);
      byte[] body = data.toByteArray();
      out.writeRaw(body, 0, body.length);
      Trailer.write(out, new long[] {count}, origins.names(), baseTime);
      return out.toByteArray();
    }

    byte[] lines() {
      return lines.toByteArray();
    }

    void reset() {
      data.clear();
      data.writeByte(VERSION);
      lines.clear();
      origins.clear();
      count = 0;
      letters = 0;
    }
  }
}
