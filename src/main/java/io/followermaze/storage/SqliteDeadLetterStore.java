package io.followermaze.storage;

import io.followermaze.deadletter.DeadLetter;
import io.followermaze.deadletter.DeadLetterBlock;
import io.followermaze.deadletter.DeadLetterFilter;
import io.followermaze.deadletter.DeadLetterStore;
import io.followermaze.deadletter.Reason;
import io.followermaze.protocol.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dead letters in an embedded SQLite database ({@code deadletters.db} in the data directory), WAL
 * mode. The hot path commits each {@link DeadLetterBlock} as one row, as encoded; when the
 * appending thread is otherwise idle, {@link #catchUp()} expands batches into per-letter
 * rows, {@value #ROWS_PER_INSERT} per INSERT statement (about 1.7M/s), which is what queries read.
 * Readers in other processes see every committed batch; a {@code kill -9} loses nothing committed.
 *
 * <p>One instance per connection; the collector's instance is used by its flusher thread only.
 * Larger than most classes here because it is the one place that speaks SQL.
 */
public final class SqliteDeadLetterStore implements DeadLetterStore {

  /** The database file's name inside the data directory. */
  public static final String FILE_NAME = "deadletters.db";

  static final int ROWS_PER_INSERT = 100;
  private static final int LEAN_COLUMNS = 5;
  private static final String LEAN_INSERT =
      "INSERT INTO dead_letter (kind, sequence, recipient, created_ms, payload) VALUES ";
  private static final String FULL_INSERT =
      "INSERT INTO dead_letter (kind, sequence, recipient, created_ms, payload, attempt, payload_length, error)"
          + " VALUES (?,?,?,?,?,?,?,?)";
  private static final String SELECT =
      "SELECT d.id, r.name, d.sequence, d.recipient, (d.kind >> 8) & 255, d.created_ms, o.name, d.attempt, d.payload,"
          + " coalesce(d.payload_length, length(d.payload)), d.error, d.redriven_ms FROM dead_letter d"
          + " JOIN reason r ON r.code = d.kind & 255 JOIN origin o ON o.id = d.kind >> 16";

  private static final java.util.EnumSet<Reason> UNDELIVERABLE = java.util.Arrays.stream(Reason.values())
      .filter(reason -> reason.category() == Reason.Category.UNDELIVERABLE)
      .collect(java.util.stream.Collectors.toCollection(() -> java.util.EnumSet.noneOf(Reason.class)));

  private final Path file;
  private final Connection connection;
  private final Retention retention;
  private final Map<Reason, Integer> reasonCodes = new EnumMap<>(Reason.class);
  private final Map<String, Integer> originIds = new HashMap<>();
  private PreparedStatement leanMany;
  private PreparedStatement leanOne;
  private PreparedStatement full;
  private PreparedStatement appendBatch;
  private final List<DeadLetter> lean = new ArrayList<>(ROWS_PER_INSERT);

  /**
   * How long and how many dead letters the store keeps.
   *
   * @param maxAge letters older than this are deleted
   * @param maxLetters beyond this many, the oldest are deleted
   */
  public record Retention(java.time.Duration maxAge, long maxLetters) {
    /** Keeps everything: for tools that only read. */
    public static final Retention FOREVER = new Retention(java.time.Duration.ofDays(365_000), Long.MAX_VALUE);
  }

  private SqliteDeadLetterStore(Path file, Connection connection, Retention retention) {
    this.file = file;
    this.connection = connection;
    this.retention = retention;
  }

  /**
   * Opens (creating if needed) the store in {@code dataDirectory}.
   *
   * @param synchronousFull whether each commit waits for the disk (survives power loss), rather than
   *     only for the operating system (survives a process crash)
   * @param retention what {@link #maintain} keeps
   */
  public static SqliteDeadLetterStore open(Path dataDirectory, boolean synchronousFull, Retention retention) {
    try {
      Files.createDirectories(dataDirectory);
      Path file = dataDirectory.resolve(FILE_NAME);
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = " + (synchronousFull ? "FULL" : "NORMAL"));
      }
      SqliteSchema.create(connection);
      SqliteDeadLetterStore store = new SqliteDeadLetterStore(file, connection, retention);
      store.loadCodes();
      connection.setAutoCommit(false);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dataDirectory, e);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the dead-letter store in " + dataDirectory + ": " + e.getMessage(), e);
    }
  }

  private void loadCodes() throws SQLException {
    try (PreparedStatement add = connection.prepareStatement("INSERT OR IGNORE INTO reason (name) VALUES (?)")) {
      for (Reason reason : Reason.values()) {
        add.setString(1, reason.name());
        add.executeUpdate();
      }
    }
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery("SELECT code, name FROM reason")) {
      while (rows.next()) {
        Reason reason = Reason.valueOf(rows.getString(2));
        reasonCodes.put(reason, rows.getInt(1));
      }
    }
  }

  /**
   * Commits each block as one row, as encoded: the hot path's whole cost. {@link #catchUp()} later
   * expands them into per-letter rows, which is what queries read.
   */
  @Override
  public void append(List<DeadLetterBlock> blocks) throws SQLException {
    try {
      appendBatch = appendBatch != null ? appendBatch
          : connection.prepareStatement("INSERT INTO dead_letter_batch (letters, data) VALUES (?, ?)");
      for (DeadLetterBlock block : blocks) {
        appendBatch.setInt(1, block.size());
        appendBatch.setBytes(2, block.data());
        appendBatch.executeUpdate();
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  /**
   * Expands the oldest committed batch into per-letter rows and deletes it, in one transaction, so
   * each letter is expanded exactly once. Returns whether more batches wait.
   */
  @Override
  public boolean catchUp() {
    try {
      long id;
      byte[] data;
      try (Statement s = connection.createStatement();
          ResultSet row = s.executeQuery("SELECT id, data FROM dead_letter_batch ORDER BY id LIMIT 1")) {
        if (!row.next()) {
          endRead();
          return false;
        }
        id = row.getLong(1);
        data = row.getBytes(2);
      }
      insertRows(DeadLetterBlock.decode(data));
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM dead_letter_batch WHERE id = ?")) {
        delete.setLong(1, id);
        delete.executeUpdate();
      }
      connection.commit();
      return true;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // The failure below says what went wrong.
      }
      forgetOrigins();
      lean.clear();
      throw e instanceof RuntimeException r ? r : failure("expand a batch of dead letters", (SQLException) e);
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /** Letters committed in batches but not yet expanded into per-letter rows. */
  public long awaitingIndex() {
    return single("SELECT coalesce(sum(letters), 0) FROM dead_letter_batch", statement -> {});
  }

  private void insertRows(List<DeadLetter> batch) throws SQLException {
    for (DeadLetter letter : batch) {
      if (isLean(letter)) {
        lean.add(letter);
        if (lean.size() == ROWS_PER_INSERT) {
          insertLean();
        }
      } else {
        insertLean();
        insertFull(letter);
      }
    }
    insertLean();
  }

  /** Origin ids are cached; a rolled-back transaction may have created ids, so forget them. */
  private void forgetOrigins() {
    originIds.clear();
  }

  /** Whether every column the lean insert leaves out holds its default. */
  private static boolean isLean(DeadLetter letter) {
    return letter.attempt() == 1
        && letter.payloadLength() == letter.payload().length
        && (letter.error() == null || letter.error().equals(letter.reason().usualError()));
  }

  private void insertLean() throws SQLException {
    if (lean.size() == ROWS_PER_INSERT) {
      leanMany = leanMany != null ? leanMany : connection.prepareStatement(leanSql(ROWS_PER_INSERT));
      for (int row = 0; row < ROWS_PER_INSERT; row++) {
        bindLean(leanMany, row * LEAN_COLUMNS + 1, lean.get(row));
      }
      leanMany.executeUpdate();
    } else if (!lean.isEmpty()) {
      leanOne = leanOne != null ? leanOne : connection.prepareStatement(leanSql(1));
      for (DeadLetter letter : lean) {
        bindLean(leanOne, 1, letter);
        leanOne.executeUpdate();
      }
    }
    lean.clear();
  }

  private void insertFull(DeadLetter letter) throws SQLException {
    full = full != null ? full : connection.prepareStatement(FULL_INSERT);
    int next = bindLean(full, 1, letter);
    full.setInt(next++, letter.attempt());
    full.setLong(next++, letter.payloadLength());
    String error = letter.error();
    if (error == null || error.equals(letter.reason().usualError())) {
      full.setNull(next, Types.VARCHAR);
    } else {
      full.setString(next, error);
    }
    full.executeUpdate();
  }

  private static String leanSql(int rows) {
    StringBuilder sql = new StringBuilder(LEAN_INSERT);
    for (int row = 0; row < rows; row++) {
      sql.append(row == 0 ? "" : ",").append("(?,?,?,?,?)");
    }
    return sql.toString();
  }

  private int bindLean(PreparedStatement statement, int first, DeadLetter letter) throws SQLException {
    int i = first;
    long type = letter.type() == null ? 0 : letter.type().code();
    statement.setLong(i++, reasonCodes.get(letter.reason()) | type << 8 | (long) originId(letter.origin()) << 16);
    setOrNull(statement, i++, letter.sequence() == DeadLetter.NONE ? null : letter.sequence());
    setOrNull(statement, i++, letter.recipient() == DeadLetter.NONE ? null : (long) letter.recipient());
    statement.setLong(i++, letter.timestampMillis());
    statement.setBytes(i++, letter.payload());
    return i;
  }

  private static void setOrNull(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setLong(index, value);
    }
  }

  private int originId(String origin) throws SQLException {
    Integer id = originIds.get(origin);
    if (id != null) {
      return id;
    }
    try (PreparedStatement add = connection.prepareStatement("INSERT OR IGNORE INTO origin (name) VALUES (?)");
        PreparedStatement find = connection.prepareStatement("SELECT id FROM origin WHERE name = ?")) {
      add.setString(1, origin);
      add.executeUpdate();
      find.setString(1, origin);
      try (ResultSet row = find.executeQuery()) {
        row.next();
        originIds.put(origin, row.getInt(1));
        return row.getInt(1);
      }
    }
  }

  /** Up to {@code limit} letters matching {@code filter} with ids above {@code afterId}, oldest first. */
  public List<StoredDeadLetter> list(DeadLetterFilter filter, long afterId, int limit) {
    FilterSql where = new FilterSql(filter, reasonCodes);
    String sql = SELECT + " WHERE d.id > ? AND " + where.where() + " ORDER BY d.id LIMIT ?";
    return query(sql, statement -> {
      statement.setLong(1, afterId);
      int next = where.bind(statement, 2);
      statement.setInt(next, limit);
    });
  }

  /** The newest {@code count} letters matching {@code filter}, oldest of them first. */
  public List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) {
    FilterSql where = new FilterSql(filter, reasonCodes);
    String sql = SELECT + " WHERE " + where.where() + " ORDER BY d.id DESC LIMIT ?";
    List<StoredDeadLetter> result = new ArrayList<>(query(sql, statement -> statement.setInt(where.bind(statement, 1), count)));
    java.util.Collections.reverse(result);
    return result;
  }

  /** How many letters match {@code filter}. */
  public long count(DeadLetterFilter filter) {
    FilterSql where = new FilterSql(filter, reasonCodes);
    return single("SELECT count(*) FROM dead_letter d WHERE " + where.where(), statement -> where.bind(statement, 1));
  }

  /** The highest id in the store, or 0. */
  public long lastId() {
    return single("SELECT coalesce(max(id), 0) FROM dead_letter", statement -> {});
  }

  /**
   * Undeliverable letters matching {@code filter} that have not been redriven, in sequence order
   * (the order their events had, whatever order they were dead-lettered in), after position
   * ({@code afterSequence}, {@code afterId}): what a redrive works through, page by page.
   */
  public List<StoredDeadLetter> parked(DeadLetterFilter filter, long afterSequence, long afterId, int limit) {
    java.util.EnumSet<Reason> reasons = java.util.EnumSet.copyOf(UNDELIVERABLE);
    if (filter.reasons() != null && !filter.reasons().isEmpty()) {
      reasons.retainAll(filter.reasons());
    }
    if (reasons.isEmpty()) {
      return List.of();
    }
    FilterSql where = new FilterSql(filter.withReasons(reasons), reasonCodes);
    String sql = SELECT + " WHERE (d.sequence, d.id) > (?, ?) AND d.redriven_ms IS NULL AND " + where.where()
        + " ORDER BY d.sequence, d.id LIMIT ?";
    return query(sql, statement -> {
      statement.setLong(1, afterSequence);
      statement.setLong(2, afterId);
      statement.setInt(where.bind(statement, 3), limit);
    });
  }

  /**
   * Indexes parked letters by recipient, so looking up one user's is quick. Costs insert speed:
   * created only when the server redrives on connect.
   */
  public void indexParkedByRecipient() {
    String undeliverable = FilterSql.reasonIn(UNDELIVERABLE, reasonCodes).replace("d.kind", "kind");
    update("CREATE INDEX IF NOT EXISTS parked_by_recipient ON dead_letter (recipient, sequence, id)"
        + " WHERE redriven_ms IS NULL AND " + undeliverable, statement -> {});
  }

  /**
   * A redrive asked for by an operator, carried out by the running server.
   *
   * @param id the request's id
   * @param filter which letters
   * @param ratePerSecond most letters redriven per second
   * @param status pending, running or done
   * @param redriven how many were queued for their (connected) recipient
   * @param skipped how many matched but whose recipient was not connected
   */
  public record RedriveRequest(long id, DeadLetterFilter filter, int ratePerSecond, String status, long redriven, long skipped) {}

  /** Records a redrive request for the server to carry out; returns its id. */
  public long requestRedrive(DeadLetterFilter filter, int ratePerSecond, long nowMillis) {
    update("INSERT INTO redrive_request (created_ms, filter, rate) VALUES (?, ?, ?)", statement -> {
      statement.setLong(1, nowMillis);
      statement.setString(2, filter.encode());
      statement.setInt(3, ratePerSecond);
    });
    return single("SELECT max(id) FROM redrive_request", statement -> {});
  }

  /** The oldest pending redrive request, now marked running, if there is one. */
  public Optional<RedriveRequest> takePendingRedrive() {
    Optional<RedriveRequest> pending = redriveRequests("WHERE status = 'pending' ORDER BY id LIMIT 1", s -> {});
    pending.ifPresent(request -> update("UPDATE redrive_request SET status = 'running' WHERE id = ?", s -> s.setLong(1, request.id())));
    return pending;
  }

  /** Records a redrive request's progress; {@code done} finishes it. */
  public void recordRedrive(long id, long redriven, long skipped, boolean done, long nowMillis) {
    update("UPDATE redrive_request SET redriven = ?, skipped = ?, status = ?, finished_ms = ? WHERE id = ?", statement -> {
      statement.setLong(1, redriven);
      statement.setLong(2, skipped);
      statement.setString(3, done ? "done" : "running");
      statement.setObject(4, done ? nowMillis : null);
      statement.setLong(5, id);
    });
  }

  /** The redrive request with {@code id}, if any. */
  public Optional<RedriveRequest> redriveRequest(long id) {
    return redriveRequests("WHERE id = ?", statement -> statement.setLong(1, id));
  }

  private Optional<RedriveRequest> redriveRequests(String condition, Binder binder) {
    Optional<RedriveRequest> request;
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT id, filter, rate, status, redriven, skipped FROM redrive_request " + condition)) {
      binder.bind(statement);
      try (ResultSet row = statement.executeQuery()) {
        request = row.next()
            ? Optional.of(new RedriveRequest(row.getLong(1), DeadLetterFilter.decode(row.getString(2)), row.getInt(3),
                row.getString(4), row.getLong(5), row.getLong(6)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read redrive requests", e);
    }
    endRead();
    return request;
  }

  Map<Reason, Integer> reasonCodes() {
    return reasonCodes;
  }

  /** The letter with {@code id}, if the store has it. */
  public Optional<StoredDeadLetter> get(long id) {
    return query(SELECT + " WHERE d.id = ?", statement -> statement.setLong(1, id)).stream().findFirst();
  }

  /** Counts by reason, oldest and newest, size on disk. */
  public DeadLetterStats stats() {
    Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
    long total = 0;
    long oldest = 0;
    long newest = 0;
    try (Statement s = connection.createStatement()) {
      try (ResultSet rows = s.executeQuery(
          "SELECT r.name, count(*) FROM dead_letter d JOIN reason r ON r.code = d.kind & 255 GROUP BY d.kind & 255")) {
        while (rows.next()) {
          byReason.put(Reason.valueOf(rows.getString(1)), rows.getLong(2));
          total += rows.getLong(2);
        }
      }
      try (ResultSet row = s.executeQuery(
          "SELECT (SELECT created_ms FROM dead_letter ORDER BY id LIMIT 1), (SELECT created_ms FROM dead_letter ORDER BY id DESC LIMIT 1)")) {
        row.next();
        oldest = row.getLong(1);
        newest = row.getLong(2);
      }
    } catch (SQLException e) {
      throw failure("read statistics", e);
    }
    endRead();
    return new DeadLetterStats(byReason, total, oldest, newest, bytesOnDisk(), meta("removed_by_retention"), awaitingIndex());
  }

  /** Deletes the letters matching {@code filter}; returns how many. */
  public long purge(DeadLetterFilter filter) {
    FilterSql where = new FilterSql(filter, reasonCodes);
    return update("DELETE FROM dead_letter AS d WHERE " + where.where(), statement -> where.bind(statement, 1));
  }

  /** Opens the store in {@code dataDirectory} to read and manage it (no retention of its own). */
  public static SqliteDeadLetterStore open(Path dataDirectory) {
    return open(dataDirectory, false, Retention.FOREVER);
  }

  @Override
  public void maintain(long nowMillis) {
    long removed = applyRetention(nowMillis - Math.min(retention.maxAge().toMillis(), nowMillis), retention.maxLetters());
    if (removed > 0) {
      org.slf4j.LoggerFactory.getLogger(SqliteDeadLetterStore.class)
          .info("retention removed {} dead letters (older than {} or beyond {})", removed, retention.maxAge(), retention.maxLetters());
    }
  }

  /**
   * Deletes letters older than {@code olderThanMillis} (epoch ms) and the oldest beyond {@code
   * maxLetters}; counts them in {@link DeadLetterStats#removedByRetention()}. Returns how many.
   */
  public long applyRetention(long olderThanMillis, long maxLetters) {
    long removed = update("DELETE FROM dead_letter WHERE created_ms < ?", s -> s.setLong(1, olderThanMillis))
        + update("DELETE FROM dead_letter WHERE id <= (SELECT max(id) FROM dead_letter) - ?", s -> s.setLong(1, maxLetters));
    if (removed > 0) {
      update("INSERT INTO meta (key, value) VALUES ('removed_by_retention', ?)"
          + " ON CONFLICT (key) DO UPDATE SET value = value + excluded.value", s -> s.setLong(1, removed));
    }
    return removed;
  }

  /** Marks the letters with these ids as redriven at {@code nowMillis}, counting one more attempt. */
  public void markRedriven(List<Long> ids, long nowMillis) {
    try (PreparedStatement mark = connection.prepareStatement(
        "UPDATE dead_letter SET redriven_ms = ?, attempt = attempt + 1 WHERE id = ?")) {
      for (long id : ids) {
        mark.setLong(1, nowMillis);
        mark.setLong(2, id);
        mark.addBatch();
      }
      mark.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      throw failure("mark letters redriven", e);
    }
  }

  /** The database and its write-ahead log, in bytes. */
  public long bytesOnDisk() {
    return bytesOnDisk(file);
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

  private long meta(String key) {
    return single("SELECT coalesce((SELECT value FROM meta WHERE key = ?), 0)", statement -> statement.setString(1, key));
  }

  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private long single(String sql, Binder binder) {
    long value;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        value = row.getLong(1);
      }
    } catch (SQLException e) {
      throw failure("count dead letters", e);
    }
    endRead();
    return value;
  }

  /** Ends the read transaction, so the next read sees what other connections committed since. */
  private void endRead() {
    try {
      connection.commit();
    } catch (SQLException e) {
      throw failure("end a read", e);
    }
  }

  private List<StoredDeadLetter> query(String sql, Binder binder) {
    List<StoredDeadLetter> result = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(read(rows));
        }
      }
    } catch (SQLException e) {
      throw failure("query dead letters", e);
    }
    endRead();
    return result;
  }

  private long update(String sql, Binder binder) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      long count = statement.executeUpdate();
      connection.commit();
      return count;
    } catch (SQLException e) {
      throw failure("update dead letters", e);
    }
  }

  private static StoredDeadLetter read(ResultSet row) throws SQLException {
    Reason reason = Reason.valueOf(row.getString(2));
    long sequence = row.getLong(3);
    sequence = row.wasNull() ? DeadLetter.NONE : sequence;
    int recipient = row.getInt(4);
    recipient = row.wasNull() ? DeadLetter.NONE : recipient;
    int type = row.getInt(5);
    String error = row.getString(11);
    byte[] payload = row.getBytes(9);
    DeadLetter letter = new DeadLetter(reason, payload == null ? new byte[0] : payload, row.getLong(10), sequence, recipient,
        type == 0 ? null : EventType.ofCode(type), row.getLong(6), row.getString(7), row.getInt(8),
        error == null ? reason.usualError() : error);
    return new StoredDeadLetter(row.getLong(1), letter, row.getLong(12));
  }

  private IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException("cannot " + what + " in " + file + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing: nothing is lost, every batch was committed or rolled back.
    }
  }
}
