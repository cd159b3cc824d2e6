package dev.aicost.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.BilledAmount;
import dev.aicost.store.CounterStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable side of the accounting: running totals of every persisted counter, time rows by
 * dimension (for month-to-date, forecasts and the JSON API) and each source's checkpoint, all
 * written in ONE SQLite transaction per batch. Only after that commit does memory move, so a crash
 * (even {@code kill -9}) leaves memory and disk agreeing at the last committed batch: a restart
 * continues the counters and the sources resume from their checkpoints, losing and repeating
 * nothing.
 *
 * <p>Time rows (table {@code hourly}, column {@code hour} = the row's start, epoch ms) are quarter
 * hours since schema version 1: every zone in use is a whole number of quarter hours from UTC, so a
 * day in any zone is a sum of whole rows. Rows written before (version 0) are whole hours and stay
 * readable as they are: an hour row starts at a quarter-hour boundary too, it just holds the whole
 * hour.
 */
public final class Ledger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> LABELS = new TypeReference<>() {};

  /** Length of a time row: a quarter hour. */
  public static final long ROW_MS = 15 * 60_000L;

  private static final int SCHEMA_VERSION = 1;

  private static final byte[] SQLITE_HEADER =
      "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Path file;
  private final FileChannel lockFile;
  private final Connection db;
  private final Object fileKey;
  private final CounterStore counters;
  private final Map<String, Family> familiesByName = new HashMap<>();
  private final PreparedStatement upsertCounter;
  private final PreparedStatement upsertHourly;
  private final PreparedStatement upsertCheckpoint;
  private final PreparedStatement upsertBilled;

  public Ledger(Path file, CounterStore counters) throws LedgerException {
    this.file = file;
    this.counters = counters;
    for (Family f : Metrics.PERSISTED_COUNTERS) familiesByName.put(f.name(), f);
    this.lockFile = lock(file);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement st = db.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=NORMAL");
        st.execute("PRAGMA busy_timeout=5000");
        st.execute(
            "CREATE TABLE IF NOT EXISTS counters (family TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (family, labels))");
        st.execute(
            "CREATE TABLE IF NOT EXISTS hourly (hour INTEGER NOT NULL, family TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (hour, family, labels))");
        st.execute(
            "CREATE TABLE IF NOT EXISTS checkpoints (source TEXT PRIMARY KEY, state TEXT NOT NULL, updated_ms INTEGER NOT NULL)");
        st.execute(
            "CREATE TABLE IF NOT EXISTS billed (provider TEXT NOT NULL, service TEXT NOT NULL, day TEXT NOT NULL, usd REAL NOT NULL, updated_ms INTEGER NOT NULL, PRIMARY KEY (provider, service, day))");
        migrate(st);
      }
      db.setAutoCommit(false);
      upsertCounter =
          db.prepareStatement(
              "INSERT INTO counters (family, labels, value) VALUES (?, ?, ?) ON CONFLICT (family, labels) DO UPDATE SET value = value + excluded.value");
      upsertHourly =
          db.prepareStatement(
              "INSERT INTO hourly (hour, family, labels, value) VALUES (?, ?, ?, ?) ON CONFLICT (hour, family, labels) DO UPDATE SET value = value + excluded.value");
      upsertCheckpoint =
          db.prepareStatement(
              "INSERT INTO checkpoints (source, state, updated_ms) VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms");
      upsertBilled =
          db.prepareStatement(
              "INSERT INTO billed (provider, service, day, usd, updated_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, service, day) DO UPDATE SET usd = excluded.usd, updated_ms = excluded.updated_ms");
      db.commit();
      fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      restoreCounters();
    } catch (SQLException | IOException e) {
      closeQuietly(lockFile);
      throw new LedgerException("cannot open ledger " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Version 0 wrote hour rows; from 1 on rows are quarter hours. Old rows need no rewrite (see the
   * class comment).
   */
  private static void migrate(Statement st) throws SQLException {
    int version;
    try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version >= SCHEMA_VERSION) return;
    st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
    log.info(
        "event=ledger_migrated from_version={} to_version={} rows=quarter_hour note=\"earlier rows stay hourly\"",
        version,
        SCHEMA_VERSION);
  }

  /**
   * Two exporters on one ledger would each book the same usage: an exclusive lock on a sidecar
   * file, held for the process's life (the OS drops it with the process, even on kill -9).
   */
  private static FileChannel lock(Path file) throws LedgerException {
    Path lockPath = Path.of(file + ".lock");
    FileChannel ch = null;
    try {
      Path parent = lockPath.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (ch.tryLock() != null) return ch;
    } catch (OverlappingFileLockException e) {
      // held by this process already (a second Ledger in one JVM): the same refusal
    } catch (IOException e) {
      closeQuietly(ch);
      throw new LedgerException(
          "cannot open ledger " + file + ": cannot lock " + lockPath + ": " + e.getMessage(), e);
    }
    closeQuietly(ch);
    throw new LedgerException(
        "state.path "
            + file
            + " is in use by another aicost-exporter (lock held on "
            + lockPath
            + ")",
        null);
  }

  /**
   * The file at state.path must still be the one opened, and still SQLite: deleted, replaced (a
   * restore from backup, a volume remount) or overwritten, SQLite would keep writing to the old
   * inode or over garbage and nothing would say so. Checked before every commit (one stat and a
   * 16-byte read).
   */
  private void checkIdentity() throws LedgerException {
    BasicFileAttributes now;
    try {
      now = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new LedgerException(
          "ledger "
              + file
              + " was deleted while the exporter ran; restart to start a new one or restore it",
          null);
    } catch (IOException e) {
      throw new LedgerException("ledger " + file + " cannot be checked: " + e.getMessage(), e);
    }
    if (fileKey != null && !fileKey.equals(now.fileKey())) {
      throw new LedgerException(
          "ledger "
              + file
              + " was replaced by another file while the exporter ran; restart to use it",
          null);
    }
    if (now.size() < SQLITE_HEADER.length)
      return; // WAL mode: the main file fills at the first checkpoint
    byte[] head = new byte[SQLITE_HEADER.length];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(head, 0, head.length) == head.length && Arrays.equals(head, SQLITE_HEADER))
        return;
    } catch (IOException e) {
      throw new LedgerException("ledger " + file + " cannot be read: " + e.getMessage(), e);
    }
    throw new LedgerException(
        "ledger " + file + " was overwritten: it is no longer an SQLite database", null);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      if (ch != null) ch.close();
    } catch (IOException ignored) {
      // closing releases the lock; nothing else to do
    }
  }

  /**
   * Loads the persisted totals into memory, oldest series first (rowid: a row is made when its
   * series is first committed), so a family over the cap keeps the series it had before the restart
   * and folds the rest; the folded rows stay on disk as they are (raising the cap shows them
   * again).
   */
  private void restoreCounters() throws SQLException, IOException {
    int n = 0;
    Map<String, Integer> folded = new LinkedHashMap<>();
    try (Statement st = db.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT family, labels, value FROM counters ORDER BY rowid")) {
      while (rs.next()) {
        Family f = familiesByName.get(rs.getString(1));
        if (f == null) continue; // a family a newer version wrote; keep the row, do not expose it
        List<String> labels = JSON.readValue(rs.getString(2), LABELS);
        if (labels.size() != f.labelNames().size()) continue;
        if (counters.restore(f, labels, rs.getDouble(3))) folded.merge(f.name(), 1, Integer::sum);
        n++;
      }
    }
    db.commit();
    log.info("event=ledger_restored series={}", n);
    folded.forEach(
        (family, rows) ->
            log.warn(
                "event=ledger_restore_folded metric={} rows={} into=\"{}\" hint=\"limits.max_series_per_metric is lower than the series the ledger holds\"",
                family,
                rows,
                CounterStore.OVERFLOW));
  }

  /**
   * Makes a batch durable: counter increments, their hourly rows and the source checkpoint, in one
   * transaction. Memory is updated only when the transaction committed.
   */
  public synchronized void commit(
      String source, List<Increment> increments, String checkpointJson, Instant now)
      throws LedgerException {
    commit(source, increments, List.of(), checkpointJson, now);
  }

  /**
   * As {@link #commit(String, List, String, Instant)}, with what the provider's bill says per day
   * in the same transaction: a day's figure replaces the one stored before (bills are revised).
   */
  public synchronized void commit(
      String source,
      List<Increment> increments,
      List<BilledAmount> billed,
      String checkpointJson,
      Instant now)
      throws LedgerException {
    Map<Key, Double> merged = new LinkedHashMap<>();
    CounterStore.Admission admission = counters.admission();
    for (Increment inc : increments) {
      if (inc.amount() == 0) continue;
      List<String> labels = admission.admit(inc.family(), inc.labels());
      merged.merge(new Key(inc.family(), labels, hour(inc.at())), inc.amount(), Double::sum);
    }
    checkIdentity();
    try {
      for (Map.Entry<Key, Double> e : merged.entrySet()) {
        String labels = JSON.writeValueAsString(e.getKey().labels);
        upsertCounter.setString(1, e.getKey().family.name());
        upsertCounter.setString(2, labels);
        upsertCounter.setDouble(3, e.getValue());
        upsertCounter.addBatch();
        upsertHourly.setLong(1, e.getKey().hour);
        upsertHourly.setString(2, e.getKey().family.name());
        upsertHourly.setString(3, labels);
        upsertHourly.setDouble(4, e.getValue());
        upsertHourly.addBatch();
      }
      upsertCounter.executeBatch();
      upsertHourly.executeBatch();
      for (BilledAmount b : billed) {
        upsertBilled.setString(1, b.provider());
        upsertBilled.setString(2, b.service());
        upsertBilled.setString(3, b.day().toString());
        upsertBilled.setDouble(4, b.usd());
        upsertBilled.setLong(5, now.toEpochMilli());
        upsertBilled.addBatch();
      }
      if (!billed.isEmpty()) upsertBilled.executeBatch();
      if (checkpointJson != null) {
        upsertCheckpoint.setString(1, source);
        upsertCheckpoint.setString(2, checkpointJson);
        upsertCheckpoint.setLong(3, now.toEpochMilli());
        upsertCheckpoint.executeUpdate();
      }
      db.commit();
    } catch (SQLException | JsonProcessingException e) {
      rollbackQuietly();
      throw new LedgerException("ledger write failed: " + e.getMessage(), e);
    }
    for (Map.Entry<Key, Double> e : merged.entrySet())
      counters.add(e.getKey().family, e.getKey().labels, e.getValue());
    admission.committed();
  }

  public synchronized Optional<String> checkpoint(String source) throws LedgerException {
    try (PreparedStatement ps =
        db.prepareStatement("SELECT state FROM checkpoints WHERE source = ?")) {
      ps.setString(1, source);
      try (ResultSet rs = ps.executeQuery()) {
        Optional<String> r = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        db.commit();
        return r;
      }
    } catch (SQLException e) {
      rollbackQuietly();
      throw new LedgerException("cannot read checkpoint of " + source + ": " + e.getMessage(), e);
    }
  }

  /**
   * Time rows of a family that start in [from, to) (from rounded down to a row start), oldest
   * first.
   */
  public synchronized List<HourlyRow> hourly(Family family, Instant from, Instant to)
      throws LedgerException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "SELECT hour, labels, value FROM hourly WHERE family = ? AND hour >= ? AND hour < ? ORDER BY hour")) {
      ps.setString(1, family.name());
      ps.setLong(2, hour(from));
      ps.setLong(3, to.toEpochMilli());
      List<HourlyRow> rows = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new HourlyRow(
                  Instant.ofEpochMilli(rs.getLong(1)),
                  JSON.readValue(rs.getString(2), LABELS),
                  rs.getDouble(3)));
        }
      }
      db.commit();
      return rows;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new LedgerException("cannot read hourly rows: " + e.getMessage(), e);
    }
  }

  /** The billed rows of a provider for days in [from, to], oldest first (every service). */
  public synchronized List<BilledAmount> billed(String provider, LocalDate from, LocalDate to)
      throws LedgerException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "SELECT service, day, usd FROM billed WHERE provider = ? AND day >= ? AND day <= ? ORDER BY day, service")) {
      ps.setString(1, provider);
      ps.setString(2, from.toString());
      ps.setString(3, to.toString());
      List<BilledAmount> rows = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new BilledAmount(
                  provider, rs.getString(1), LocalDate.parse(rs.getString(2)), rs.getDouble(3)));
        }
      }
      db.commit();
      return rows;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new LedgerException("cannot read billed rows: " + e.getMessage(), e);
    }
  }

  /**
   * Retention: deletes the time rows that start before {@code cutoff} (running totals stay, so
   * exposed counters never go back). Returns the number of rows deleted.
   */
  public synchronized int deleteRowsBefore(Instant cutoff) throws LedgerException {
    checkIdentity();
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM hourly WHERE hour < ?")) {
      ps.setLong(1, cutoff.toEpochMilli());
      int n = ps.executeUpdate();
      db.commit();
      return n;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new LedgerException("ledger retention failed: " + e.getMessage(), e);
    }
  }

  /**
   * Merges the quarter-hour rows that start before {@code cutoff} into whole-hour rows (the form
   * schema version 0 wrote, which every reader takes as it is): a quarter of the rows for old data.
   * Days stay exact in zones a whole number of hours from UTC. Returns the quarter rows merged.
   */
  public synchronized int compactRowsBefore(Instant cutoff) throws LedgerException {
    checkIdentity();
    long before = Math.floorDiv(cutoff.toEpochMilli(), HOUR_MS) * HOUR_MS;
    try (PreparedStatement merge =
            db.prepareStatement(
                "INSERT INTO hourly (hour, family, labels, value) SELECT (hour / 3600000) * 3600000 AS h, family, labels, SUM(value) FROM hourly WHERE hour >= 0 AND hour < ? AND hour % 3600000 != 0 GROUP BY h, family, labels ON CONFLICT (hour, family, labels) DO UPDATE SET value = value + excluded.value");
        PreparedStatement drop =
            db.prepareStatement(
                "DELETE FROM hourly WHERE hour >= 0 AND hour < ? AND hour % 3600000 != 0")) {
      merge.setLong(1, before);
      merge.executeUpdate();
      drop.setLong(1, before);
      int n = drop.executeUpdate();
      db.commit();
      return n;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new LedgerException("ledger compaction failed: " + e.getMessage(), e);
    }
  }

  private static final long HOUR_MS = 3_600_000L;

  private static long hour(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), ROW_MS) * ROW_MS;
  }

  private void rollbackQuietly() {
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // the connection is already unusable; the next commit reports it
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      log.warn("event=ledger_close_failed error=\"{}\"", e.getMessage());
    }
    closeQuietly(lockFile);
  }

  private record Key(Family family, List<String> labels, long hour) {}

  /**
   * @param hour the row's start: a quarter hour (an hour for rows written before schema version 1)
   */
  public record HourlyRow(Instant hour, List<String> labels, double value) {}
}
