package dev.aicost.ledger;

import dev.aicost.metrics.Family;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * A read-only view of a ledger's time rows, on its own SQLite connection: reports, budgets and the
 * JSON API read without taking the writer's lock (WAL readers never block the writer, nor it them),
 * and the {@code report} command can read the ledger of a running exporter.
 *
 * <p>Rows are summed in SQL by (row start, the asked labels), so what comes back is bounded by the
 * time range and the asked dimensions, not by the ledger's series count.
 */
public final class LedgerReader implements AutoCloseable {
  private final Path file;
  private final Connection db;

  /** One summed cell: the row's start, the values of the asked labels in order, the sum. */
  @FunctionalInterface
  public interface Cell {
    void accept(Instant rowStart, String[] groupValues, double value);
  }

  public LedgerReader(Path file) throws LedgerException {
    this.file = file;
    if (!Files.isRegularFile(file))
      throw new LedgerException("no ledger at " + file + " (state.path)", null);
    try {
      SQLiteConfig cfg = new SQLiteConfig();
      cfg.setReadOnly(true);
      cfg.setBusyTimeout(5000);
      db = cfg.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw new LedgerException("cannot open ledger " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /**
   * Sums a family's rows starting in [from, to) by row start and the labels {@code groupBy}, over
   * the rows whose labels equal {@code match} (label name → value; all rows when empty), oldest
   * first.
   */
  public synchronized void sum(
      Family family,
      Instant from,
      Instant to,
      List<String> groupBy,
      Map<String, String> match,
      Cell out)
      throws LedgerException {
    StringBuilder sql = new StringBuilder("SELECT hour");
    for (String g : groupBy) sql.append(", ").append(extract(family, g));
    sql.append(", SUM(value) FROM hourly WHERE family = ? AND hour >= ? AND hour < ?");
    List<String> params = new ArrayList<>();
    for (Map.Entry<String, String> m : match.entrySet()) {
      sql.append(" AND ").append(extract(family, m.getKey())).append(" = ?");
      params.add(m.getValue());
    }
    sql.append(" GROUP BY hour");
    for (int i = 0; i < groupBy.size(); i++) sql.append(", ").append(i + 2);
    sql.append(" ORDER BY hour");
    try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
      ps.setString(1, family.name());
      ps.setLong(2, Math.floorDiv(from.toEpochMilli(), Ledger.ROW_MS) * Ledger.ROW_MS);
      ps.setLong(3, to.toEpochMilli());
      for (int i = 0; i < params.size(); i++) ps.setString(4 + i, params.get(i));
      try (ResultSet rs = ps.executeQuery()) {
        String[] group = new String[groupBy.size()];
        while (rs.next()) {
          for (int i = 0; i < group.length; i++) {
            String v = rs.getString(2 + i);
            group[i] = v == null ? "" : v;
          }
          out.accept(
              Instant.ofEpochMilli(rs.getLong(1)),
              Arrays.copyOf(group, group.length),
              rs.getDouble(2 + group.length));
        }
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot read ledger " + file + ": " + e.getMessage(), e);
    }
  }

  /** The start of the oldest time row of a family, or null when it has none. */
  public synchronized Instant firstRow(Family family) throws LedgerException {
    try (PreparedStatement ps =
        db.prepareStatement("SELECT MIN(hour) FROM hourly WHERE family = ?")) {
      ps.setString(1, family.name());
      try (ResultSet rs = ps.executeQuery()) {
        long v = rs.next() ? rs.getLong(1) : 0;
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
      }
    } catch (SQLException e) {
      throw new LedgerException("cannot read ledger " + file + ": " + e.getMessage(), e);
    }
  }

  /** Label values are stored as a JSON array in the family's label order. */
  private static String extract(Family family, String label) {
    int i = family.labelIndex(label);
    if (i < 0) throw new IllegalArgumentException(family.name() + " has no label " + label);
    return "json_extract(labels, '$[" + i + "]')";
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException ignored) {
      // read-only: nothing to lose
    }
  }
}
