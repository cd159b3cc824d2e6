package dev.aicost.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable side of the accounting: running totals of every persisted counter, hourly rows by
 * dimension (for month-to-date, forecasts and the JSON API) and each source's checkpoint, all
 * written in ONE SQLite transaction per batch. Only after that commit does memory move, so a crash
 * (even {@code kill -9}) leaves memory and disk agreeing at the last committed batch: a restart
 * continues the counters and the sources resume from their checkpoints, losing and repeating nothing.
 */
public final class Ledger implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> LABELS = new TypeReference<>() {};
  private static final long HOUR_MS = 3_600_000L;

  private final Connection db;
  private final CounterStore counters;
  private final Map<String, Family> familiesByName = new HashMap<>();
  private final PreparedStatement upsertCounter;
  private final PreparedStatement upsertHourly;
  private final PreparedStatement upsertCheckpoint;

  public Ledger(Path file, CounterStore counters) throws LedgerException {
    this.counters = counters;
    for (Family f : Metrics.PERSISTED_COUNTERS) familiesByName.put(f.name(), f);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement st = db.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=NORMAL");
        st.execute("PRAGMA busy_timeout=5000");
        st.execute("CREATE TABLE IF NOT EXISTS counters (family TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (family, labels))");
        st.execute("CREATE TABLE IF NOT EXISTS hourly (hour INTEGER NOT NULL, family TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (hour, family, labels))");
        st.execute("CREATE TABLE IF NOT EXISTS checkpoints (source TEXT PRIMARY KEY, state TEXT NOT NULL, updated_ms INTEGER NOT NULL)");
      }
      db.setAutoCommit(false);
      upsertCounter = db.prepareStatement("INSERT INTO counters (family, labels, value) VALUES (?, ?, ?) ON CONFLICT (family, labels) DO UPDATE SET value = value + excluded.value");
      upsertHourly = db.prepareStatement("INSERT INTO hourly (hour, family, labels, value) VALUES (?, ?, ?, ?) ON CONFLICT (hour, family, labels) DO UPDATE SET value = value + excluded.value");
      upsertCheckpoint = db.prepareStatement("INSERT INTO checkpoints (source, state, updated_ms) VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms");
      db.commit();
      restoreCounters();
    } catch (SQLException | IOException e) {
      throw new LedgerException("cannot open ledger " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads the persisted totals into memory, oldest series first (rowid: a row is made when its series
   * is first committed), so a family over the cap keeps the series it had before the restart and folds
   * the rest; the folded rows stay on disk as they are (raising the cap shows them again).
   */
  private void restoreCounters() throws SQLException, IOException {
    int n = 0;
    Map<String, Integer> folded = new LinkedHashMap<>();
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT family, labels, value FROM counters ORDER BY rowid")) {
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
    folded.forEach((family, rows) -> log.warn("event=ledger_restore_folded metric={} rows={} into=\"{}\" hint=\"limits.max_series_per_metric is lower than the series the ledger holds\"",
        family, rows, CounterStore.OVERFLOW));
  }

  /**
   * Makes a batch durable: counter increments, their hourly rows and the source checkpoint, in one
   * transaction. Memory is updated only when the transaction committed.
   */
  public synchronized void commit(String source, List<Increment> increments, String checkpointJson, Instant now) throws LedgerException {
    Map<Key, Double> merged = new LinkedHashMap<>();
    CounterStore.Admission admission = counters.admission();
    for (Increment inc : increments) {
      if (inc.amount() == 0) continue;
      List<String> labels = admission.admit(inc.family(), inc.labels());
      merged.merge(new Key(inc.family(), labels, hour(inc.at())), inc.amount(), Double::sum);
    }
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
    for (Map.Entry<Key, Double> e : merged.entrySet()) counters.add(e.getKey().family, e.getKey().labels, e.getValue());
    admission.committed();
  }

  public synchronized Optional<String> checkpoint(String source) throws LedgerException {
    try (PreparedStatement ps = db.prepareStatement("SELECT state FROM checkpoints WHERE source = ?")) {
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

  /** Sum of hourly rows of a family in [from, to), grouped by the values of the given labels. */
  public synchronized List<HourlyRow> hourly(Family family, Instant from, Instant to) throws LedgerException {
    try (PreparedStatement ps = db.prepareStatement("SELECT hour, labels, value FROM hourly WHERE family = ? AND hour >= ? AND hour < ? ORDER BY hour")) {
      ps.setString(1, family.name());
      ps.setLong(2, hour(from));
      ps.setLong(3, to.toEpochMilli());
      List<HourlyRow> rows = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new HourlyRow(Instant.ofEpochMilli(rs.getLong(1)), JSON.readValue(rs.getString(2), LABELS), rs.getDouble(3)));
        }
      }
      db.commit();
      return rows;
    } catch (SQLException | IOException e) {
      rollbackQuietly();
      throw new LedgerException("cannot read hourly rows: " + e.getMessage(), e);
    }
  }

  private static long hour(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), HOUR_MS) * HOUR_MS;
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
  }

  private record Key(Family family, List<String> labels, long hour) {}

  public record HourlyRow(Instant hour, List<String> labels, double value) {}
}
