package io.followermaze.dlq.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One SQLite connection in autocommit mode, with transactions made explicit: {@link #write} runs
 * its work in {@code BEGIN IMMEDIATE} (it takes the write lock before it reads, so a
 * read-then-write never fails on a snapshot another process moved), {@link #read} in a deferred
 * transaction (one consistent snapshot, no lock). Failures become {@link IllegalStateException}s
 * naming the file.
 */
final class SqliteDatabase implements AutoCloseable {

  /** Work inside a transaction. */
  interface Work<T> {
    T run() throws SQLException;
  }

  /** Binds a statement's parameters. */
  interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** Reads one row. */
  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  private final Path file;
  private final Connection connection;
  private boolean inTransaction;

  SqliteDatabase(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  Path file() {
    return file;
  }

  /** Runs {@code work} in a write transaction; rolls back and rethrows if it fails. */
  <T> T write(String what, Work<T> work) {
    return transaction("BEGIN IMMEDIATE", what, work);
  }

  /** Runs {@code work} in a read transaction (nested calls join the outer one). */
  <T> T read(String what, Work<T> work) {
    return transaction("BEGIN", what, work);
  }

  private <T> T transaction(String begin, String what, Work<T> work) {
    if (inTransaction) {
      try {
        return work.run();
      } catch (SQLException e) {
        throw failure(what, e);
      }
    }
    try {
      exec(begin);
      inTransaction = true;
      T result = work.run();
      exec("COMMIT");
      return result;
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      throw e instanceof SQLException sql ? failure(what, sql) : (RuntimeException) e;
    } finally {
      inTransaction = false;
    }
  }

  private void rollbackQuietly() {
    try {
      exec("ROLLBACK");
    } catch (SQLException ignored) {
      // SQLite may already have rolled back (a full disk does); nothing is left to undo.
    }
  }

  void exec(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  PreparedStatement prepare(String sql) throws SQLException {
    return connection.prepareStatement(sql);
  }

  /** The first column of the first row as a long (0 when there is no row or it is NULL). */
  long single(String sql, Binder binder) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }

  /** Every row, read by {@code reader}. */
  <T> List<T> rows(String sql, Binder binder, RowReader<T> reader) throws SQLException {
    List<T> result = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(reader.read(rows));
        }
      }
    }
    return result;
  }

  /** Runs an update; returns the rows changed. */
  long update(String sql, Binder binder) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      return statement.executeUpdate();
    }
  }

  IllegalStateException failure(String what, SQLException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("SQLITE_FULL") || message.contains("disk is full")) {
      return new IllegalStateException(
          "disk full: cannot "
              + what
              + " in "
              + file
              + " ("
              + freeSpace()
              + " free on "
              + file.getParent()
              + "); intake pauses until there is room: "
              + message,
          e);
    }
    return new IllegalStateException("cannot " + what + " in " + file + ": " + message, e);
  }

  private String freeSpace() {
    try {
      return (java.nio.file.Files.getFileStore(file.getParent()).getUsableSpace() >> 10) + " KiB";
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown space";
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing: every transaction was committed or rolled back.
    }
  }
}
