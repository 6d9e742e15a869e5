package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock.Entry;
import io.followermaze.dlq.DeadLetterBlockReader;
import io.followermaze.dlq.VarintReader;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Indexing: turns committed inbox blocks into stored-once events and per-recipient pointer rows, in
 * one transaction per pass (so each letter is indexed exactly once, whatever happens). A pass takes
 * up to {@value #PASS_LETTERS} letters, {@value #PASS_BYTES} bytes of blocks or {@value #PASS_RUNS}
 * runs.
 *
 * <p>When to index is a trade: the inbox is cheap to write and the index is what queries read. So
 * the indexer stays out of the way while blocks keep arriving, and runs once appends pause for
 * {@value #QUIET_MILLIS} ms (with at least {@value #MIN_LETTERS} letters or {@value
 * #MAX_WAIT_MILLIS} ms worth waiting, so each user's row gathers many pointers), when letters have
 * waited {@value #MAX_AGE_MILLIS} ms, or when more than {@value #MAX_BACKLOG_LETTERS} wait (~2
 * bytes each on disk): under sustained load it then keeps pace with the appends.
 */
final class Indexer {

  static final long PASS_LETTERS = 2_000_000;
  static final long PASS_BYTES = 32L << 20;

  /** Runs (users, nearly) per pass: ~72 bytes each in memory while the pass lasts. */
  static final int PASS_RUNS = 1 << 17;

  static final long MIN_LETTERS = 250_000;
  static final long MAX_WAIT_MILLIS = 500;
  static final long QUIET_MILLIS = 500;
  static final long MAX_AGE_MILLIS = 10_000;
  static final long MAX_BACKLOG_LETTERS = 32_000_000;

  private final SqliteDatabase db;
  private final Transpose transpose = new Transpose();

  Indexer(SqliteDatabase db) {
    this.db = db;
  }

  /**
   * Indexes one pass if it is time to (see above; {@code force}: whenever letters wait), given that
   * the last append was at {@code lastAppendMillis}; returns whether it did anything.
   */
  boolean pass(boolean force, long nowMillis, long lastAppendMillis) {
    // The check is a read: the write lock is taken only when there is a pass to do.
    long[] waiting =
        db.read(
            "check the letters waiting for indexing",
            () -> {
              try (PreparedStatement s =
                      db.prepare(
                          "SELECT coalesce(sum(letters), 0), coalesce(min(first_ms), 0) FROM dlq_inbox");
                  ResultSet row = s.executeQuery()) {
                row.next();
                return new long[] {row.getLong(1), row.getLong(2)};
              }
            });
    long letters = waiting[0];
    long age = nowMillis - waiting[1];
    boolean quiet =
        nowMillis - lastAppendMillis >= QUIET_MILLIS
            && (letters >= MIN_LETTERS || age >= MAX_WAIT_MILLIS);
    if (letters == 0
        || !(force || quiet || age >= MAX_AGE_MILLIS || letters > MAX_BACKLOG_LETTERS)) {
      return false;
    }
    indexOnePass();
    return true;
  }

  /**
   * Indexes pass after pass, whatever the pace, until no block committed before the call is left:
   * what purge and retention do first, so that they only ever remove pointers (memory stays bounded
   * by a pass, however many letters wait).
   */
  void indexCommitted() {
    long last =
        db.read(
            "find the last committed block",
            () -> db.single("SELECT coalesce(max(id), 0) FROM dlq_inbox", s -> {}));
    while (db.read(
            "check the blocks waiting for indexing",
            () ->
                db.single("SELECT count(*) FROM dlq_inbox WHERE id <= ?", s -> s.setLong(1, last)))
        > 0) {
      indexOnePass();
    }
  }

  private void indexOnePass() {
    // Another process may have indexed the blocks meanwhile: a pass over an empty inbox does
    // nothing.
    db.write(
        "index dead letters",
        () -> {
          new Pass(db.single("SELECT value FROM meta WHERE key = 'next_event'", s -> {})).run();
          return null;
        });
  }

  /** One pass's state; reads blocks straight into per-user pointer runs. */
  private final class Pass {
    private final long firstEvent;
    private long nextEvent;
    private long[] sequences = new long[4096];
    private long[] times = new long[4096];

    /** Whether sequence numbers and times never fell in event order this pass (the usual case). */
    private boolean ascending = true;

    private final EventChunk.Writer chunk = new EventChunk.Writer();
    private long chunkFirst;
    private PreparedStatement insertChunk;

    /**
     * The next pointer row's id: ids only grow, even once every row is purged (ids name letters).
     */
    private long nextPointer;

    Pass(long nextEvent) {
      this.firstEvent = Math.max(1, nextEvent);
      this.nextEvent = firstEvent;
      this.chunkFirst = firstEvent;
    }

    void run() throws SQLException {
      transpose.clear(); // a pass that failed half-way (disk full) left its letters there
      nextPointer =
          Math.max(
              db.single("SELECT value FROM meta WHERE key = 'next_pointer'", s -> {}),
              db.single("SELECT coalesce(max(id), 0) + 1 FROM dlq_pointer", s -> {}));
      long lastInbox = 0;
      long letters = 0;
      long bytes = 0;
      try (PreparedStatement s = db.prepare("SELECT id, letters, data FROM dlq_inbox ORDER BY id");
          PreparedStatement chunks =
              db.prepare(
                  "INSERT INTO dlq_event (first_event, events, live, data, lines) VALUES (?,?,?,?,?)");
          ResultSet rows = s.executeQuery()) {
        insertChunk = chunks;
        while (letters < PASS_LETTERS
            && bytes < PASS_BYTES
            && transpose.slots() < PASS_RUNS
            && rows.next()) {
          lastInbox = rows.getLong(1);
          letters += rows.getLong(2);
          byte[] data = rows.getBytes(3);
          bytes += data.length;
          decode(lastInbox, data);
        }
        flushChunk();
      }
      writePointers();
      long through = lastInbox;
      db.update("DELETE FROM dlq_inbox WHERE id <= ?", s -> s.setLong(1, through));
      SqliteSchema.setMeta(db, "next_event", nextEvent);
      SqliteSchema.setMeta(db, "next_pointer", nextPointer);
    }

    /** Reads one inbox block: each entry is an event of the pass, each recipient a pointer. */
    private void decode(long inboxId, byte[] data) throws SQLException {
      try {
        DeadLetterBlockReader reader = new DeadLetterBlockReader(data);
        for (Entry entry; (entry = reader.nextEntry()) != null; ) {
          int offset = event(entry);
          int reason = entry.reason().code();
          int recipients = 0;
          for (int user; (user = reader.nextRecipient()) >= 0; recipients++) {
            transpose.add(user, reason, offset);
          }
          if (recipients == 0) {
            transpose.add(DeadLetter.NONE, reason, offset);
          }
          chunk.add(entry, Math.max(1, recipients));
          nextEvent++;
          if (chunk.full()) {
            flushChunk();
          }
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "inbox block " + inboxId + " cannot be indexed: " + e.getMessage(), e);
      }
    }

    /** Notes the pass's next event (its numbers and time, for the rows' bounds); its offset. */
    private int event(Entry entry) {
      int offset = (int) (nextEvent - firstEvent);
      if (offset == sequences.length) {
        sequences = Arrays.copyOf(sequences, offset * 2);
        times = Arrays.copyOf(times, offset * 2);
      }
      sequences[offset] = entry.sequence();
      times[offset] = entry.timeMillis();
      if (offset > 0
          && (sequences[offset] < sequences[offset - 1] || times[offset] < times[offset - 1])) {
        ascending = false;
      }
      return offset;
    }

    private void flushChunk() throws SQLException {
      if (chunk.isEmpty()) {
        return;
      }
      insertChunk.setLong(1, chunkFirst);
      insertChunk.setInt(2, chunk.size());
      insertChunk.setLong(3, chunk.letters());
      insertChunk.setBytes(4, chunk.data());
      insertChunk.setBytes(5, chunk.lines());
      insertChunk.executeUpdate();
      chunkFirst += chunk.size();
      chunk.reset();
    }

    private void writePointers() throws SQLException {
      try (PreparedStatement insert =
          db.prepare(
              "INSERT INTO dlq_pointer (id, user, reason, letters, live, first_seq,"
                  + " last_seq, first_ms, last_ms, first_event, last_event, events) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
        transpose.drain(
            (user, reason, first, last, count, data, from, length) -> {
              long[] bounds = bounds(first, last, data, from, length);
              insert.setLong(1, nextPointer++);
              insert.setLong(2, user);
              insert.setInt(3, reason);
              insert.setInt(4, count);
              insert.setInt(5, count);
              insert.setLong(6, bounds[0]);
              insert.setLong(7, bounds[1]);
              insert.setLong(8, bounds[2]);
              insert.setLong(9, bounds[3]);
              insert.setLong(10, firstEvent + first);
              insert.setLong(11, firstEvent + last);
              insert.setBytes(12, Arrays.copyOfRange(data, from, from + length));
              insert.executeUpdate();
            });
      }
    }

    /**
     * A run's sequence and time bounds, for pruning: from its ends when numbers and times ascend
     * through the pass (nearly always), else from every letter.
     */
    private long[] bounds(int first, int last, byte[] data, int from, int length) {
      long[] bounds = {sequences[first], sequences[last], times[first], times[last]};
      if (!ascending) {
        VarintReader in = new VarintReader("pointer run", data, from, from + length);
        int offset = first;
        while (in.hasMore()) {
          offset += (int) in.readVarint();
          bounds[0] = Math.min(bounds[0], sequences[offset]);
          bounds[1] = Math.max(bounds[1], sequences[offset]);
          bounds[2] = Math.min(bounds[2], times[offset]);
          bounds[3] = Math.max(bounds[3], times[offset]);
        }
      }
      return bounds;
    }
  }
}
