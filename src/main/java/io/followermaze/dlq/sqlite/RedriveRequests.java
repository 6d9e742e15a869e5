package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.RedriveRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The {@code redrive_request} table: operators' requests, their progress and resume positions. */
final class RedriveRequests {

  private static final String COLUMNS =
      "id, filter, rate, status, redriven, skipped, cursor_user, cursor_seq, cursor_letter, error";

  private final SqliteDatabase db;

  RedriveRequests(SqliteDatabase db) {
    this.db = db;
  }

  long add(DeadLetterFilter filter, int ratePerSecond, long nowMillis) {
    return db.write(
        "record a redrive request",
        () ->
            db.single(
                "INSERT INTO redrive_request (created_ms, filter, rate) VALUES (?, ?, ?) RETURNING id",
                s -> {
                  s.setLong(1, nowMillis);
                  s.setString(2, filter.encode());
                  s.setInt(3, ratePerSecond);
                }));
  }

  /** The oldest pending request, now marked running. */
  Optional<RedriveRequest> takePending() {
    return db.write(
        "take a redrive request",
        () -> {
          Optional<RedriveRequest> pending =
              find("WHERE status = 'pending' ORDER BY id LIMIT 1", 0);
          if (pending.isPresent()) {
            db.update(
                "UPDATE redrive_request SET status = 'running', error = NULL WHERE id = ?",
                s -> s.setLong(1, pending.get().id()));
          }
          return pending.map(
              r ->
                  new RedriveRequest(
                      r.id(),
                      r.filter(),
                      r.ratePerSecond(),
                      "running",
                      r.redriven(),
                      r.skipped(),
                      r.cursor(),
                      null));
        });
  }

  /** Records progress; {@code status} is running, done, interrupted or failed. */
  void record(RedriveRequest progress, long nowMillis) {
    ParkedCursor cursor = progress.cursor();
    String status = progress.status();
    db.write(
        "record redrive progress",
        () ->
            db.update(
                "UPDATE redrive_request SET redriven = ?, skipped = ?,"
                    + " cursor_user = ?, cursor_seq = ?, cursor_letter = ?, status = ?, error = ?, finished_ms = ? WHERE id = ?",
                s -> {
                  s.setLong(1, progress.redriven());
                  s.setLong(2, progress.skipped());
                  s.setInt(3, cursor.user());
                  s.setLong(4, cursor.sequence());
                  s.setLong(5, cursor.letterId());
                  s.setString(6, status);
                  s.setString(7, progress.error());
                  s.setObject(8, status.equals("running") ? null : nowMillis);
                  s.setLong(9, progress.id());
                }));
  }

  /**
   * Requests left running or interrupted by a server that stopped become pending again, to resume
   * where they were; returns how many.
   */
  long resumeInterrupted() {
    return db.write(
        "resume redrive requests",
        () ->
            db.update(
                "UPDATE redrive_request SET status = 'pending' WHERE status IN ('running', 'interrupted')",
                s -> {}));
  }

  /** Makes a failed or interrupted request pending again; false if it is not one. */
  boolean resume(long id) {
    return db.write(
        "resume a redrive request",
        () ->
            db.update(
                    "UPDATE redrive_request SET status = 'pending', error = NULL WHERE id = ? AND status IN ('failed', 'interrupted')",
                    s -> s.setLong(1, id))
                == 1);
  }

  Optional<RedriveRequest> get(long id) {
    return db.read("read a redrive request", () -> find("WHERE id = ?", id));
  }

  private Optional<RedriveRequest> find(String condition, long value) throws SQLException {
    List<RedriveRequest> found =
        db.rows(
            "SELECT " + COLUMNS + " FROM redrive_request " + condition,
            s -> {
              if (condition.contains("?")) {
                s.setLong(1, value);
              }
            },
            RedriveRequests::read);
    return found.stream().findFirst();
  }

  private static RedriveRequest read(ResultSet row) throws SQLException {
    return new RedriveRequest(
        row.getLong(1),
        DeadLetterFilter.decode(row.getString(2)),
        row.getInt(3),
        row.getString(4),
        row.getLong(5),
        row.getLong(6),
        new ParkedCursor(row.getInt(7), row.getLong(8), row.getLong(9)),
        row.getString(10));
  }
}
