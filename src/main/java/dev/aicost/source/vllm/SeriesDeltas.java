package dev.aicost.source.vllm;

import java.util.HashMap;
import java.util.Map;

/**
 * Reset-safe deltas of upstream counters, per series. A decrease, a changed {@code _created}
 * timestamp or a changed process start means the series restarted from zero: the new value IS the
 * delta. Never negative, never the whole history twice. Pure: returns the next state, keeps none.
 */
final class SeriesDeltas {
  private SeriesDeltas() {}

  /** Last seen raw value and creation time of one series. */
  record Seen(double value, double created) {}

  record Result(Map<String, Double> deltas, Map<String, Seen> next) {}

  /**
   * @param processRestarted the upstream process changed since the previous page
   */
  static Result compute(Map<String, Seen> previous, Map<String, Double> values, Map<String, Double> created,
      boolean processRestarted) {
    Map<String, Double> deltas = new HashMap<>();
    Map<String, Seen> next = new HashMap<>();
    for (Map.Entry<String, Double> e : values.entrySet()) {
      String key = e.getKey();
      double value = e.getValue();
      double createdAt = created.getOrDefault(key, Double.NaN);
      Seen prev = previous.get(key);
      double delta;
      if (prev == null) {
        delta = value; // new series (or first read): everything it counted so far is new to us
      } else if (processRestarted || value < prev.value || createdChanged(prev.created, createdAt)) {
        delta = value;
      } else {
        delta = value - prev.value;
      }
      if (delta > 0) deltas.put(key, delta);
      next.put(key, new Seen(value, createdAt));
    }
    return new Result(deltas, next);
  }

  private static boolean createdChanged(double before, double now) {
    // both known and different by more than float noise
    return !Double.isNaN(before) && !Double.isNaN(now) && Math.abs(before - now) > 1e-3;
  }
}
