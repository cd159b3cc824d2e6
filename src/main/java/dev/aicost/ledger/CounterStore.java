package dev.aicost.ledger;

import dev.aicost.metrics.Family;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
  /** The same cells ordered by their labels, as the exposition wants them (no sorting per scrape). */
  private final Map<Family, ConcurrentSkipListMap<Labels, Cell>> ordered = new ConcurrentHashMap<>();
  private final Map<String, Cell> dropped = new ConcurrentHashMap<>();
  private static final Labels NONE = Labels.EMPTY;

  public CounterStore(int maxSeriesPerMetric) {
    this.maxSeriesPerMetric = maxSeriesPerMetric;
  }

  /** The key an increment lands on, after the cardinality guard. Used so SQLite and memory agree. */
  public List<String> admit(Family family, List<String> labels) {
    Map<List<String>, Cell> series = families.computeIfAbsent(family, f -> new ConcurrentHashMap<>());
    if (series.containsKey(labels) || series.size() < maxSeriesPerMetric) return labels;
    dropped.computeIfAbsent(family.name(), n -> new Cell(NONE)).add(1);
    return Collections.nCopies(labels.size(), OVERFLOW);
  }

  public void add(Family family, List<String> labels, double amount) {
    cell(family, labels).add(amount);
  }

  /** Restores a persisted total (startup); bypasses the guard because it was admitted before. */
  public void restore(Family family, List<String> labels, double value) {
    cell(family, labels).set(value);
  }

  private Cell cell(Family family, List<String> labels) {
    Cell c = families.computeIfAbsent(family, f -> new ConcurrentHashMap<>()).get(labels);
    if (c != null) return c;
    return families.get(family).computeIfAbsent(List.copyOf(labels), l -> {
      // label names and values are fixed for a series' life: build the exposition labels once
      Cell created = new Cell(Labels.of(family.labelNames(), l));
      ordered.computeIfAbsent(family, f -> new ConcurrentSkipListMap<>()).put(created.labels, created);
      return created;
    });
  }

  /** Visits a family's series in label order with their exposition labels (the scrape path). */
  public void forEachOrdered(Family family, BiConsumer<Labels, Double> action) {
    ConcurrentSkipListMap<Labels, Cell> m = ordered.get(family);
    if (m != null) m.forEach((labels, cell) -> action.accept(labels, cell.value));
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
    // few entries, rarely present: plain map
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
    private final Labels labels;
    private volatile double value;

    Cell(Labels labels) {
      this.labels = labels;
    }

    synchronized void add(double amount) {
      value += amount;
    }

    synchronized void set(double v) {
      value = v;
    }
  }
}
