package dev.aicost.store;

import dev.aicost.metrics.Family;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * The exposed counters, in memory. Writers are the ledger's commits (serialised); readers are
 * scrapes, which never block writers. A family that holds {@code limits.max_series_per_metric}
 * series folds further series into one series whose labels all read {@value SeriesLimit#OVERFLOW},
 * so totals stay right while cardinality stays bounded, and {@code
 * aicost_series_dropped_total{metric}} says it happened. The cap holds inside one batch (an {@link
 * Admission} counts the batch's own new series) and on restore from the ledger.
 */
public final class CounterStore {
  public static final String OVERFLOW = SeriesLimit.OVERFLOW;

  private final SeriesLimit limit;
  private final Map<Family, Map<List<String>, Cell>> families = new ConcurrentHashMap<>();

  /**
   * The same cells ordered by their labels, as the exposition wants them (no sorting per scrape).
   */
  private final Map<Family, ConcurrentSkipListMap<Labels, Cell>> ordered =
      new ConcurrentHashMap<>();

  public CounterStore(int maxSeriesPerMetric) {
    this(new SeriesLimit(maxSeriesPerMetric));
  }

  public CounterStore(SeriesLimit limit) {
    this.limit = limit;
  }

  /** Starts admitting one batch's increments; see {@link Admission}. */
  public Admission admission() {
    return new Admission();
  }

  /**
   * The keys one batch's increments land on, after the cardinality guard, so SQLite and memory
   * agree. Series new in this batch count against the cap as they are admitted (they reach memory
   * only after the commit); folds are counted in {@code aicost_series_dropped_total} only when the
   * batch committed.
   */
  public final class Admission {
    private final Map<Family, Set<List<String>>> added = new HashMap<>();
    private final Map<Family, Long> folded = new HashMap<>();

    public List<String> admit(Family family, List<String> labels) {
      Map<List<String>, Cell> series = families.get(family);
      if (series != null && series.containsKey(labels)) return labels;
      Set<List<String>> batch = added.computeIfAbsent(family, f -> new HashSet<>());
      if (batch.contains(labels) || SeriesLimit.isOverflow(labels)) return labels;
      if (limit.admits(ownSeries(family) + batch.size())) {
        batch.add(labels);
        return labels;
      }
      folded.merge(family, 1L, Long::sum);
      return SeriesLimit.overflow(labels.size());
    }

    /** The batch is durable: count what it folded. */
    public void committed() {
      folded.forEach(limit::dropped);
    }
  }

  public void add(Family family, List<String> labels, double amount) {
    cell(family, labels).add(amount);
  }

  /**
   * Restores a persisted total at startup, into an empty store, oldest series first. Series beyond
   * the cap (a ledger written by an older version or under a larger cap) fold into the overflow
   * series as a commit would fold them; the oldest keep their own series, so every restart keeps
   * the same ones.
   *
   * @return whether the row was folded
   */
  public boolean restore(Family family, List<String> labels, double value) {
    Map<List<String>, Cell> series = families.get(family);
    boolean fold =
        (series == null || !series.containsKey(labels))
            && !SeriesLimit.isOverflow(labels)
            && !limit.admits(ownSeries(family));
    cell(family, fold ? SeriesLimit.overflow(labels.size()) : labels).add(value);
    if (fold) limit.dropped(family, 1);
    return fold;
  }

  /** A family's series, not counting its overflow series (which is what the cap bounds). */
  private int ownSeries(Family family) {
    Map<List<String>, Cell> series = families.get(family);
    if (series == null) return 0;
    int n = series.size();
    return series.containsKey(SeriesLimit.overflow(family.labelNames().size())) ? n - 1 : n;
  }

  private Cell cell(Family family, List<String> labels) {
    Cell c = families.computeIfAbsent(family, f -> new ConcurrentHashMap<>()).get(labels);
    if (c != null) return c;
    return families
        .get(family)
        .computeIfAbsent(
            List.copyOf(labels),
            l -> {
              // label names and values are fixed for a series' life: build the exposition labels
              // once
              Cell created = new Cell(Labels.of(family.labelNames(), l));
              ordered
                  .computeIfAbsent(family, f -> new ConcurrentSkipListMap<>())
                  .put(created.labels, created);
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

  /** What the cap kept out, across every store sharing its {@link SeriesLimit}. */
  public void forEachDropped(BiConsumer<String, Double> action) {
    limit.forEachDropped(action);
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
  }
}
