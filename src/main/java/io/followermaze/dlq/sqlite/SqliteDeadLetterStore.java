package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.DeadLetterStore;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.RedriveStore;
import io.followermaze.dlq.StoredDeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Dead letters in an embedded SQLite database ({@code deadletters.db} in the data directory), WAL
 * mode, stored once and pointed to per recipient (schema: {@link SqliteSchema}). The hot path
 * commits each {@link DeadLetterBlock} as one inbox row and adds to the per-reason counts in the
 * same transaction; {@link #runDeferredWork} indexes inbox blocks into event chunks and per-user
 * pointer rows ({@link Indexer}); queries read pointer rows ({@link LetterReader}, {@link
 * ParkedQuery}); retention and purge remove pointers and the events no pointer is left on ({@link
 * LetterRemover}). Readers in other processes see every committed block; a {@code kill -9} loses
 * nothing committed.
 *
 * <p>One instance per connection, used by one thread at a time (the collector's by its flusher).
 *
 * <p>This class is the facade: each method is one transaction around one job class ({@link
 * Indexer}, {@link LetterReader}, {@link ParkedQuery}, {@link RedriveRequests}, {@link
 * LetterRemover}, {@link StatsQuery}); its length is the width of the ports it serves (appending,
 * redriving and the operator's queries), not logic of its own.
 */
public final class SqliteDeadLetterStore implements DeadLetterStore, RedriveStore {

  /** The database file's name inside the data directory. */
  public static final String FILE_NAME = "deadletters.db";

  private final SqliteDatabase db;
  private final Retention retention;
  private final Indexer indexer;
  private final LetterReader reader;
  private final ParkedQuery parked;
  private final RedriveRequests redrives;
  private final StatsQuery figures;
  private PreparedStatement appendBlock;
  private volatile long lastAppendMillis;

  /**
   * How long and how many dead letters the store keeps.
   *
   * @param maxAge letters older than this are deleted
   * @param maxLetters beyond this many, the oldest are deleted (whole pointer rows: a few more may
   *     go)
   */
  public record Retention(Duration maxAge, long maxLetters) {
    /** Keeps everything: for tools that only read. */
    public static final Retention FOREVER = new Retention(Duration.ofDays(365_000), Long.MAX_VALUE);
  }

  private SqliteDeadLetterStore(SqliteDatabase db, Retention retention) {
    this.db = db;
    this.retention = retention;
    this.indexer = new Indexer(db);
    this.reader = new LetterReader(db);
    this.parked = new ParkedQuery(db, reader);
    this.redrives = new RedriveRequests(db);
    this.figures = new StatsQuery(db, reader);
  }

  /**
   * Opens (creating if needed) the store in {@code dataDirectory}. A store written by an older
   * version is refused with a message saying what to do, never misread.
   *
   * @param synchronousFull whether each commit waits for the disk (survives power loss), rather
   *     than only for the operating system (survives a process crash)
   * @param retention what {@link #maintain} keeps
   */
  public static SqliteDeadLetterStore open(
      Path dataDirectory, boolean synchronousFull, Retention retention) {
    Path file = dataDirectory.resolve(FILE_NAME);
    Connection connection = null;
    try {
      Files.createDirectories(dataDirectory);
      SQLiteConfig config = new SQLiteConfig();
      // No statement here reads generated keys (a RETURNING clause does where one is needed);
      // fetching them eagerly costs every insert a regular-expression match on its SQL.
      config.setGetGeneratedKeys(false);
      connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = " + (synchronousFull ? "FULL" : "NORMAL"));
      }
      SqliteDatabase db = new SqliteDatabase(file, connection);
      SqliteSchema.create(db);
      return new SqliteDeadLetterStore(db, retention);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dataDirectory, e);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot open the dead-letter store in " + dataDirectory + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /** Opens the store in {@code dataDirectory} to read and manage it (no retention of its own). */
  public static SqliteDeadLetterStore open(Path dataDirectory) {
    return open(dataDirectory, false, Retention.FOREVER);
  }

  private static void closeQuietly(Connection connection) {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // Already failing; the first error says why.
    }
  }

  /**
   * Commits each block as one inbox row, as encoded, and counts its letters by reason: the hot
   * path's whole cost.
   */
  @Override
  public void append(List<DeadLetterBlock> blocks) {
    lastAppendMillis = System.currentTimeMillis();
    try {
      commit(blocks);
    } catch (RuntimeException e) {
      // A statement that failed (a full disk) is left unusable ("statement is not executing"):
      // the retry prepares a new one, so appends resume as soon as there is room.
      closeAppendStatement();
      throw e;
    }
  }

  private void commit(List<DeadLetterBlock> blocks) {
    db.write(
        "commit dead letters",
        () -> {
          appendBlock =
              appendBlock != null
                  ? appendBlock
                  : db.prepare(
                      "INSERT INTO dlq_inbox (letters, first_ms, last_ms, data) VALUES (?, ?, ?, ?)");
          long[] counts = new long[Reason.values().length];
          for (DeadLetterBlock block : blocks) {
            appendBlock.setInt(1, block.size());
            appendBlock.setLong(2, block.firstMillis());
            appendBlock.setLong(3, block.lastMillis());
            appendBlock.setBytes(4, block.data());
            appendBlock.executeUpdate();
            for (Reason reason : Reason.values()) {
              counts[reason.ordinal()] += block.count(reason);
            }
          }
          for (Reason reason : Reason.values()) {
            SqliteSchema.count(db, reason, counts[reason.ordinal()]);
          }
          return null;
        });
  }

  /**
   * Indexes a pass of committed blocks when it is time to ({@link Indexer}; {@code force}: now);
   * returns whether it did.
   */
  @Override
  public boolean runDeferredWork(boolean force) {
    return indexer.pass(force, System.currentTimeMillis(), lastAppendMillis);
  }

  /** The connection itself, for this package's tests (a page limit makes "disk full"). */
  SqliteDatabase database() {
    return db;
  }

  /** The database file. */
  public Path file() {
    return db.file();
  }

  /** Letters committed but not yet indexed (counted in {@link #stats()}, not yet listed). */
  public long awaitingIndex() {
    return figures.awaitingIndex();
  }

  /**
   * Up to {@code limit} indexed letters matching {@code filter} with ids above {@code afterId},
   * oldest first.
   */
  public List<StoredDeadLetter> list(DeadLetterFilter filter, long afterId, int limit) {
    return db.read("list dead letters", () -> reader.list(filter, afterId, limit));
  }

  /** The newest {@code count} indexed letters matching {@code filter}, oldest of them first. */
  public List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) {
    return db.read("list dead letters", () -> reader.newest(filter, count));
  }

  /**
   * How many letters match {@code filter}: from the counts (every committed letter) when it filters
   * by reason at most, else by reading the indexed letters it cannot rule out.
   */
  public long count(DeadLetterFilter filter) {
    return figures.count(filter);
  }

  /** The highest letter id so far, or 0. */
  public long lastId() {
    return figures.lastId();
  }

  /**
   * Up to {@code limit} parked letters (undeliverable, not redriven) matching {@code filter} after
   * {@code after}: user by user, each user's in sequence order. What a redrive works through.
   */
  @Override
  public List<StoredDeadLetter> parked(DeadLetterFilter filter, ParkedCursor after, int limit) {
    return db.read("find parked letters", () -> parked.after(filter, after, limit));
  }

  /** Records a redrive request for the server to carry out; returns its id. */
  public long requestRedrive(DeadLetterFilter filter, int ratePerSecond, long nowMillis) {
    return redrives.add(filter, ratePerSecond, nowMillis);
  }

  /** The oldest pending redrive request, now marked running, if there is one. */
  @Override
  public Optional<RedriveRequest> takePendingRedrive() {
    return redrives.takePending();
  }

  /** Records a redrive request's progress and status. */
  @Override
  public void recordRedrive(RedriveRequest progress, long nowMillis) {
    redrives.record(progress, nowMillis);
  }

  /**
   * Makes requests a stopped server left running or interrupted pending again; returns how many.
   */
  @Override
  public long resumeInterruptedRedrives() {
    return redrives.resumeInterrupted();
  }

  /** Makes a failed or interrupted request pending again; false if it is not one. */
  public boolean resumeRedrive(long id) {
    return redrives.resume(id);
  }

  /** The redrive request with {@code id}, if any. */
  public Optional<RedriveRequest> redriveRequest(long id) {
    return redrives.get(id);
  }

  /** The letter with {@code id}, if the store has it. */
  public Optional<StoredDeadLetter> get(long id) {
    return db.read("read a dead letter", () -> reader.get(id));
  }

  /**
   * Counts by reason, oldest and newest, size on disk: from counters and row bounds, never a scan.
   */
  public DeadLetterStats stats() {
    return figures.stats();
  }

  /**
   * The time of the oldest letter of each reason that has any (epoch ms): what an operator alerts
   * on.
   */
  public Map<Reason, Long> oldestByReason() {
    return figures.oldestByReason();
  }

  /**
   * Deletes the letters matching {@code filter} committed before the call, indexed or not (it
   * indexes what waits first); returns how many.
   */
  public long purge(DeadLetterFilter filter) {
    indexer.indexCommitted();
    return db.write("purge dead letters", () -> new LetterRemover(db, reader).purge(filter));
  }

  @Override
  public void maintain(long nowMillis) {
    long removed =
        applyRetention(
            nowMillis - Math.min(retention.maxAge().toMillis(), nowMillis), retention.maxLetters());
    if (removed > 0) {
      LoggerFactory.getLogger(SqliteDeadLetterStore.class)
          .info(
              "retention removed {} dead letters (older than {} or beyond {})",
              removed,
              retention.maxAge(),
              retention.maxLetters());
    }
  }

  /**
   * Deletes letters older than {@code olderThanMillis} (epoch ms) and the oldest beyond {@code
   * maxLetters}; counts them in {@link DeadLetterStats#removedByRetention()}. Returns how many.
   */
  public long applyRetention(long olderThanMillis, long maxLetters) {
    if (figures.retentionReachesInbox(olderThanMillis, maxLetters)) {
      indexer.indexCommitted();
    }
    return db.write(
        "apply retention",
        () -> {
          long removed = new LetterRemover(db, reader).retain(olderThanMillis, maxLetters);
          if (removed > 0) {
            SqliteSchema.addMeta(db, "removed_by_retention", removed);
          }
          return removed;
        });
  }

  /** Marks the letters with these ids as redriven at {@code nowMillis} (one more attempt each). */
  @Override
  public void markRedriven(List<Long> ids, long nowMillis) {
    db.write(
        "mark letters redriven",
        () -> {
          try (PreparedStatement mark =
              db.prepare("INSERT OR IGNORE INTO dlq_redriven (letter, at_ms) VALUES (?, ?)")) {
            for (long id : ids) {
              mark.setLong(1, id);
              mark.setLong(2, nowMillis);
              mark.addBatch();
            }
            mark.executeBatch();
          }
          return null;
        });
  }

  /** The database and its write-ahead log, in bytes. */
  public long bytesOnDisk() {
    return bytesOnDisk(db.file());
  }

  /** The size of the database {@code file} and its write-ahead log, in bytes (0 when absent). */
  public static long bytesOnDisk(Path file) {
    long bytes = 0;
    for (String suffix : new String[] {"", "-wal"}) {
      try {
        bytes += Files.size(file.resolveSibling(file.getFileName() + suffix));
      } catch (IOException e) {
        // No such file yet.
      }
    }
    return bytes;
  }

  private void closeAppendStatement() {
    if (appendBlock != null) {
      try {
        appendBlock.close();
      } catch (SQLException ignored) {
        // Closing anyway.
      }
      appendBlock = null;
    }
  }

  @Override
  public void close() {
    closeAppendStatement();
    db.close();
  }
}
