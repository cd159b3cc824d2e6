package dev.aicost.store;

import dev.aicost.metrics.Family;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Latest values of gauges that sources report (GPU power, memory, prices in force). A family holds
 * at most {@code limits.max_series_per_metric} series: a latest value cannot be summed into an
 * overflow series, so a new series beyond the cap is not stored and {@code
 * aicost_series_dropped_total} counts it.
 */
public final class GaugeStore {
  private final SeriesLimit limit;

  public GaugeStore(SeriesLimit limit) {
    this.limit = limit;
  }

  private final Map<Family, Map<List<String>, Labels>> labels = new ConcurrentHashMap<>();
  private final Map<Family, ConcurrentSkipListMap<Labels, Double>> values =
      new ConcurrentHashMap<>();

  public void set(Family family, List<String> labelValues, double value) {
    Map<List<String>, Labels> byValues =
        labels.computeIfAbsent(family, f -> new ConcurrentHashMap<>());
    Labels l = byValues.get(labelValues);
    if (l == null && (l = admit(family, byValues, labelValues)) == null) return;
    values.computeIfAbsent(family, f -> new ConcurrentSkipListMap<>()).put(l, value);
  }

  /**
   * A new series' labels, or null when the family is full; serialised so concurrent sources cannot
   * overshoot.
   */
  private synchronized Labels admit(
      Family family, Map<List<String>, Labels> byValues, List<String> labelValues) {
    Labels l = byValues.get(labelValues);
    if (l != null) return l;
    if (!limit.admits(byValues.size())) {
      limit.dropped(family, 1);
      return null;
    }
    l = Labels.of(family.labelNames(), labelValues);
    byValues.put(List.copyOf(labelValues), l);
    return l;
  }

  /**
   * Removes the series of a family that {@code which} selects (e.g. a deployment that went away).
   */
  public void removeWhere(Family family, Predicate<List<String>> which) {
    Map<List<String>, Labels> byValues = labels.get(family);
    if (byValues == null) return;
    byValues
        .entrySet()
        .removeIf(
            e -> {
              if (!which.test(e.getKey())) return false;
              values.get(family).remove(e.getValue());
              return true;
            });
  }

  /** Visits a family's series in label order (the scrape path). */
  public void forEach(Family family, BiConsumer<Labels, Double> action) {
    Map<Labels, Double> m = values.get(family);
    if (m != null) m.forEach(action);
  }
}
