package dev.aicost.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/** Latest values of gauges that sources report (GPU power, memory, prices in force). */
public final class GaugeStore {
  private final Map<Family, Map<List<String>, Labels>> labels = new ConcurrentHashMap<>();
  private final Map<Family, ConcurrentSkipListMap<Labels, Double>> values = new ConcurrentHashMap<>();

  public void set(Family family, List<String> labelValues, double value) {
    Labels l = labels.computeIfAbsent(family, f -> new ConcurrentHashMap<>())
        .computeIfAbsent(List.copyOf(labelValues), v -> Labels.of(family.labelNames(), v));
    values.computeIfAbsent(family, f -> new ConcurrentSkipListMap<>()).put(l, value);
  }

  /** Removes the series of a family that {@code which} selects (e.g. a deployment that went away). */
  public void removeWhere(Family family, Predicate<List<String>> which) {
    Map<List<String>, Labels> byValues = labels.get(family);
    if (byValues == null) return;
    byValues.entrySet().removeIf(e -> {
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
