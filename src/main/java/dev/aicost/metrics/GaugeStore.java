package dev.aicost.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** Latest values of gauges that sources report (GPU power, memory, prices in force). */
public final class GaugeStore {
  private final Map<Family, Map<List<String>, Double>> values = new ConcurrentHashMap<>();

  public void set(Family family, List<String> labels, double value) {
    values.computeIfAbsent(family, f -> new ConcurrentHashMap<>()).put(List.copyOf(labels), value);
  }

  /** Removes the series of a family that {@code which} selects (e.g. a deployment that went away). */
  public void removeWhere(Family family, java.util.function.Predicate<List<String>> which) {
    Map<List<String>, Double> m = values.get(family);
    if (m != null) m.keySet().removeIf(which);
  }

  public void forEach(Family family, BiConsumer<List<String>, Double> action) {
    Map<List<String>, Double> m = values.get(family);
    if (m != null) m.forEach(action);
  }
}
