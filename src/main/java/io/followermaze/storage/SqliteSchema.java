package io.followermaze.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The dead-letter database's schema. Codes keep rows small (about 50 bytes for a typical letter),
 * and columns that usually hold their default (attempt 1, the whole payload, the reason's usual
 * error) are left NULL or defaulted so that the common insert binds fewer values. For the same
 * reason {@code kind} packs three codes into one integer: reason (bits 0-7), event type character
 * (bits 8-15, 0 for none) and origin id (bits 16 and up);
 * the {@code dead_letters} view spells them out for operators using any SQLite client:
 *
 * <pre>sqlite3 data/deadletters.db "select reason, count(*) from dead_letters group by reason"</pre>
 */
final class SqliteSchema {

  private SqliteSchema() {}

  static void create(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS reason (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
      s.execute("CREATE TABLE IF NOT EXISTS origin (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
      s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      s.execute(
          """
          CREATE TABLE IF NOT EXISTS dead_letter (
            id INTEGER PRIMARY KEY,
            kind INTEGER NOT NULL,
            sequence INTEGER,
            recipient INTEGER,
            created_ms INTEGER NOT NULL,
            attempt INTEGER NOT NULL DEFAULT 1,
            payload BLOB NOT NULL,
            payload_length INTEGER,
            error TEXT,
            redriven_ms INTEGER)""");
      s.execute("CREATE TABLE IF NOT EXISTS dead_letter_batch (id INTEGER PRIMARY KEY, letters INTEGER NOT NULL, data BLOB NOT NULL)");
      s.execute(
          """
          CREATE TABLE IF NOT EXISTS redrive_request (
            id INTEGER PRIMARY KEY,
            created_ms INTEGER NOT NULL,
            filter TEXT NOT NULL,
            rate INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            redriven INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            finished_ms INTEGER)""");
      s.execute(
          """
          CREATE VIEW IF NOT EXISTS dead_letters AS
            SELECT d.id, r.name AS reason, d.sequence, d.recipient,
                   CASE WHEN (d.kind >> 8) & 255 = 0 THEN NULL ELSE char((d.kind >> 8) & 255) END AS type,
                   strftime('%Y-%m-%dT%H:%M:%fZ', d.created_ms / 1000.0, 'unixepoch') AS created,
                   o.name AS origin, d.attempt, CAST(d.payload AS TEXT) AS payload,
                   coalesce(d.payload_length, length(d.payload)) AS payload_length,
                   d.error, d.redriven_ms
            FROM dead_letter d JOIN reason r ON r.code = d.kind & 255 JOIN origin o ON o.id = d.kind >> 16""");
    }
  }
}
