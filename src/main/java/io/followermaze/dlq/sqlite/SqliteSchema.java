package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.Reason;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The dead-letter database's schema (version {@value #VERSION}): store once, point many.
 *
 * <ul>
 *   <li>{@code dlq_inbox}: blocks as the engine encoded them (each event once, with the recipients
 *       it could not reach), committed on the hot path, one row per block;
 *   <li>{@code dlq_event}: indexed events in chunks of up to 4,096, numbered in indexing order
 *       ({@code first_event} is the first one's number); {@code lines} holds their original bytes
 *       back to back (readable: {@code select cast(lines as text) from dlq_event}), {@code data}
 *       their reason, type, origin, time, sequence, attempt and error; {@code live} counts the
 *       letters that still point into the chunk (at 0 it is deleted);
 *   <li>{@code dlq_pointer}: per recipient and reason, one row per indexing pass: the event numbers
 *       of that user's letters as delta varints ({@code events}), with the row's bounds (sequence,
 *       time, event) for pruning; {@code user} is -1 for letters with no recipient (malformed
 *       lines, gaps, duplicates). Letter ids are {@code id << 16 | position in the row}; {@code
 *       removed} lists purged positions;
 *   <li>{@code dlq_count}: letters per reason, kept in the same transactions that add or remove
 *       them, so counts never need a scan;
 *   <li>{@code dlq_redriven}: letters redriven, and when; {@code redrive_request}: operators'
 *       redrive requests with their progress and resume position.
 * </ul>
 *
 * <pre>sqlite3 data/deadletters.db "select * from dlq_counts"</pre>
 */
final class SqliteSchema {

  /** The schema this code reads and writes. */
  static final int VERSION = 2;

  private SqliteSchema() {}

  static void create(SqliteDatabase db) {
    db.write(
        "create the schema",
        () -> {
          if (db.single("SELECT count(*) FROM sqlite_master WHERE name = 'dead_letter'", s -> {})
              > 0) {
            throw new IllegalStateException(
                "the dead-letter store in "
                    + db.file()
                    + " was written by an older version of"
                    + " followermaze (schema 1: one row per letter), which this version does not read. Move it aside (the older"
                    + " version still reads it, e.g. to export it with 'dlq list --json') or delete it; a new store is then"
                    + " created here.");
          }
          db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
          long version = db.single("SELECT value FROM meta WHERE key = 'schema_version'", s -> {});
          if (version != 0 && version != VERSION) {
            throw new IllegalStateException(
                "the dead-letter store in "
                    + db.file()
                    + " has schema version "
                    + version
                    + "; this version of followermaze reads version "
                    + VERSION
                    + " only. Use the matching version, or move the"
                    + " store aside.");
          }
          db.exec(
              "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', " + VERSION + ")");
          db.exec(
              "CREATE TABLE IF NOT EXISTS reason (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
          db.exec(
              "CREATE TABLE IF NOT EXISTS dlq_inbox (id INTEGER PRIMARY KEY, letters INTEGER NOT NULL,"
                  + " first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, data BLOB NOT NULL)");
          db.exec(
              "CREATE TABLE IF NOT EXISTS dlq_event (first_event INTEGER PRIMARY KEY, events INTEGER NOT NULL,"
                  + " live INTEGER NOT NULL, data BLOB NOT NULL, lines BLOB NOT NULL)");
          db.exec(
              """
          CREATE TABLE IF NOT EXISTS dlq_pointer (
            id INTEGER PRIMARY KEY,
            user INTEGER NOT NULL,
            reason INTEGER NOT NULL,
            letters INTEGER NOT NULL,
            live INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            first_ms INTEGER NOT NULL,
            last_ms INTEGER NOT NULL,
            first_event INTEGER NOT NULL,
            last_event INTEGER NOT NULL,
            events BLOB NOT NULL,
            removed BLOB)""");
          db.exec(
              "CREATE INDEX IF NOT EXISTS dlq_pointer_by_user ON dlq_pointer (user, first_seq)");
          db.exec(
              "CREATE INDEX IF NOT EXISTS dlq_pointer_by_reason ON dlq_pointer (reason, first_ms)");
          db.exec("CREATE INDEX IF NOT EXISTS dlq_pointer_by_newest ON dlq_pointer (last_ms)");
          db.exec(
              "CREATE TABLE IF NOT EXISTS dlq_count (reason INTEGER PRIMARY KEY, letters INTEGER NOT NULL)");
          db.exec(
              "CREATE TABLE IF NOT EXISTS dlq_redriven (letter INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL)");
          db.exec(
              """
          CREATE TABLE IF NOT EXISTS redrive_request (
            id INTEGER PRIMARY KEY,
            created_ms INTEGER NOT NULL,
            filter TEXT NOT NULL,
            rate INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            redriven INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            finished_ms INTEGER,
            cursor_user INTEGER NOT NULL DEFAULT -1,
            cursor_seq INTEGER NOT NULL DEFAULT -1,
            cursor_letter INTEGER NOT NULL DEFAULT -1,
            error TEXT)""");
          db.exec(
              "CREATE VIEW IF NOT EXISTS dlq_counts AS SELECT r.name AS reason, c.letters FROM dlq_count c"
                  + " JOIN reason r ON r.code = c.reason WHERE c.letters > 0");
          db.exec(
              "CREATE VIEW IF NOT EXISTS dlq_events AS SELECT first_event, events, live, CAST(lines AS TEXT) AS lines"
                  + " FROM dlq_event");
          try (PreparedStatement add =
              db.prepare("INSERT OR IGNORE INTO reason (code, name) VALUES (?, ?)")) {
            for (Reason reason : Reason.values()) {
              add.setInt(1, reason.code());
              add.setString(2, reason.name());
              add.executeUpdate();
            }
          }
          return null;
        });
  }

  /** Adds {@code delta} letters to {@code reason}'s count. */
  static void count(SqliteDatabase db, Reason reason, long delta) throws SQLException {
    if (delta != 0) {
      db.update(
          "INSERT INTO dlq_count (reason, letters) VALUES (?, ?)"
              + " ON CONFLICT (reason) DO UPDATE SET letters = letters + excluded.letters",
          s -> {
            s.setInt(1, reason.code());
            s.setLong(2, delta);
          });
    }
  }

  /** Sets the meta value {@code key} to {@code value}. */
  static void setMeta(SqliteDatabase db, String key, long value) throws SQLException {
    db.update(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        s -> {
          s.setString(1, key);
          s.setLong(2, value);
        });
  }

  /** Adds {@code delta} to the meta counter {@code key}. */
  static void addMeta(SqliteDatabase db, String key, long delta) throws SQLException {
    db.update(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
        s -> {
          s.setString(1, key);
          s.setLong(2, delta);
        });
  }
}
