package dev.aicost.store;

import dev.aicost.metrics.Family;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * {@code limits.max_series_per_metric}, shared by every per-series store (counters, gauges,
 * trailing windows), and the count of what it kept out, exposed as {@code
 * aicost_series_dropped_total{metric}}. A family holds at most {@link #max()} series of its own
 * plus, for stores that can sum, one series whose labels all read {@value #OVERFLOW}.
 */
public final class SeriesLimit {
  public static final String OVERFLOW = "__overflow__";

  private final int max;
  private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();

  public SeriesLimit(int max) {
    this.max = max;
  }

  public int max() {
    return max;
  }

  /** Whether a family already holding {@code series} series may take one more. */
  public boolean admits(int series) {
    return series < max;
  }

  public static List<String> overflow(int labelCount) {
    return Collections.nCopies(labelCount, OVERFLOW);
  }

  public static boolean isOverflow(List<String> labels) {
    for (String l : labels) if (!OVERFLOW.equals(l)) return false;
    return !labels.isEmpty();
  }

  /** {@code n} samples of {@code family} were folded or not stored because the family is full. */
  public void dropped(Family family, long n) {
    if (n > 0) dropped.computeIfAbsent(family.name(), k -> new AtomicLong()).addAndGet(n);
  }

  public void forEachDropped(BiConsumer<String, Double> action) {
    dropped.forEach((name, n) -> action.accept(name, (double) n.get()));
  }
}
