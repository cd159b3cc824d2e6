package dev.aicost.ledger;

import dev.aicost.metrics.Family;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The exposed counters, in memory. Writers are the ledger's commits (serialised); readers are
 * scrapes, which never block writers. A family that reaches {@code maxSeriesPerMetric} folds further
 * series into one series whose labels all read {@value #OVERFLOW}, so totals stay right while
 * cardinality stays bounded, and {@code aicost_series_dropped_total{metric}} says it happened.
 */
public final class CounterStore {
  public static final String OVERFLOW = "__overflow__";

  private final int maxSeriesPerMetric;
  private final Map<Family, Map<List<String>, Cell>> families = new ConcurrentHashMap<>();
  private final Map<String, Cell> dropped = new ConcurrentHashMap<>();

  public CounterStore(int maxSeriesPerMetric) {
    this.maxSeriesPerMetric = maxSeriesPerMetric;
  }

  /** The key an increment lands on, after the cardinality guard. Used so SQLite and memory agree. */
  public List<String> admit(Family family, List<String> labels) {
    Map<List<String>, Cell> series = families.computeIfAbsent(family, f -> new ConcurrentHashMap<>());
    if (series.containsKey(labels) || series.size() < maxSeriesPerMetric) return labels;
    dropped.computeIfAbsent(family.name(), n -> new Cell()).add(1);
    return Collections.nCopies(labels.size(), OVERFLOW);
  }

  public void add(Family family, List<String> labels, double amount) {
    families.computeIfAbsent(family, f -> new ConcurrentHashMap<>()).computeIfAbsent(labels, l -> new Cell()).add(amount);
  }

  /** Restores a persisted total (startup); bypasses the guard because it was admitted before. */
  public void restore(Family family, List<String> labels, double value) {
    families.computeIfAbsent(family, f -> new ConcurrentHashMap<>()).computeIfAbsent(labels, l -> new Cell()).set(value);
  }

  public void forEach(Family family, BiConsumer<List<String>, Double> action) {
    Map<List<String>, Cell> series = families.get(family);
    if (series == null) return;
    series.forEach((labels, cell) -> action.accept(labels, cell.value));
  }

  public double get(Family family, List<String> labels) {
    Map<List<String>, Cell> series = families.get(family);
    Cell c = series == null ? null : series.get(labels);
    return c == null ? 0 : c.value;
  }

  /** Sum over every series of a family (tests, status page). */
  public double sum(Family family) {
    double[] total = {0};
    forEach(family, (l, v) -> total[0] += v);
    return total[0];
  }

  public void forEachDropped(BiConsumer<String, Double> action) {
    dropped.forEach((name, cell) -> action.accept(name, cell.value));
  }

  public List<Family> families() {
    return new ArrayList<>(families.keySet());
  }

  public int seriesCount() {
    int n = 0;
    for (Map<List<String>, Cell> m : families.values()) n += m.size();
    return n;
  }

  /** A single-writer double; volatile so scrapes see whole values. */
  private static final class Cell {
    private volatile double value;

    synchronized void add(double amount) {
      value += amount;
    }

    synchronized void set(double v) {
      value = v;
    }
  }
}
