package dev.aicost.store;

import dev.aicost.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dollars and tokens per (provider, service, deployment, model, attribution) over a trailing
 * window, for {@code aicost_cost_per_1k_tokens_usd} and {@code aicost_cache_hit_ratio}.
 *
 * <p>Each observation is spread evenly over the interval it covers, into slices of window/{@value
 * #SLICES} (a fixed ring, so memory does not grow with how often sources commit). Dollars and
 * tokens often come from different sources on different schedules (NVML every second, vLLM every 15
 * s), so the window ends where both are known ({@code min} of the latest dollar and token
 * intervals): the figure then compares dollars and tokens of the same span, as {@code
 * rate(spend)/rate(tokens)} does.
 *
 * <p>Bounded by {@code limits.max_series_per_metric}: keys beyond it share one series whose labels
 * all read {@value SeriesLimit#OVERFLOW} (the $/1k of those models together); a series leaves once
 * quiet.
 */
public final class TrailingWindows {
  static final int SLICES = 15;

  /**
   * Slices kept: the window, one more for its partial edge, and as much again for a lagging source.
   */
  private static final int RING = 2 * SLICES + 2;

  /**
   * Fewer tokens than this in the window: cost per 1k is absent (a per-1k figure needs 1k tokens).
   */
  public static final double MIN_TOKENS = 1000;

  private final long windowMs;
  private final long sliceMs;
  private final List<String> labelNames;
  private final Map<List<String>, Series> series = new ConcurrentHashMap<>();

  private final SeriesLimit limit;

  public TrailingWindows(Duration window, SeriesLimit limit) {
    this.limit = limit;
    this.sliceMs = Math.max(1, window.toMillis() / SLICES);
    this.windowMs = sliceMs * SLICES;
    this.labelNames = Metrics.COST_PER_1K.labelNames();
  }

  /**
   * What one batch saw for a series over [start, end].
   *
   * @param usage true when a source read this series' tokens for the interval (even zero of them)
   * @param dollars true when the interval's dollars are known (priced tokens, GPU time), even $0
   * @param unpriced tokens in the interval that have no price: the window's cost is then unknown
   */
  public record Observation(
      List<String> key,
      Instant start,
      Instant end,
      boolean usage,
      boolean dollars,
      double usd,
      long tokens,
      long cacheRead,
      long prompt,
      long unpriced) {}

  public void observe(Observation o) {
    Series s = series.get(o.key());
    if (s == null) s = admit(o.key());
    s.add(o, sliceMs);
  }

  /**
   * A new key's series, or the overflow series when the store is full; serialised so sources
   * committing at once cannot overshoot.
   */
  private synchronized Series admit(List<String> key) {
    Series s = series.get(key);
    if (s != null) return s;
    List<String> k = key;
    List<String> overflow = SeriesLimit.overflow(key.size());
    if (!k.equals(overflow)
        && !limit.admits(series.size() - (series.containsKey(overflow) ? 1 : 0))) {
      limit.dropped(Metrics.COST_PER_1K, 1);
      limit.dropped(Metrics.CACHE_HIT_RATIO, 1);
      k = overflow;
    }
    return series.computeIfAbsent(List.copyOf(k), l -> new Series(Labels.of(labelNames, l)));
  }

  /**
   * Visits each series with its sums over the window; drops series that saw nothing for a window.
   */
  public void forEach(Instant now, Visitor action) {
    long nowMs = now.toEpochMilli();
    series.forEach(
        (key, s) -> {
          Sums sums = s.sums(nowMs, windowMs, sliceMs);
          if (sums == null) series.remove(key, s);
          else action.accept(s.labels, sums);
        });
  }

  @FunctionalInterface
  public interface Visitor {
    void accept(Labels labels, Sums sums);
  }

  /**
   * @param dollarsKnown false while no dollars arrived for the window's span (cost unknown, not
   *     zero)
   */
  public record Sums(
      double usd,
      double tokens,
      double cacheRead,
      double prompt,
      double unpriced,
      boolean dollarsKnown) {
    /**
     * Dollars per 1000 tokens; NaN (absent) below {@link #MIN_TOKENS} tokens or when any cost is
     * unknown.
     */
    public double costPer1k() {
      if (!dollarsKnown || unpriced > 0.5 || tokens < MIN_TOKENS) return Double.NaN;
      return usd / (tokens / 1000.0);
    }

    /** Cache-read tokens / prompt tokens; NaN (absent) while the window has no prompt tokens. */
    public double cacheHitRatio() {
      return prompt < 0.5 ? Double.NaN : Math.min(1.0, cacheRead / prompt);
    }
  }

  private static final class Series {
    static final int USD = 0, TOKENS = 1, CACHE = 2, PROMPT = 3, UNPRICED = 4;
    final Labels labels;
    final long[] slice = new long[RING];
    final double[][] sum = new double[RING][5];
    long usageUntil = Long.MIN_VALUE;
    long dollarsUntil = Long.MIN_VALUE;
    long newestSlice = Long.MIN_VALUE;

    Series(Labels labels) {
      this.labels = labels;
      Arrays.fill(slice, Long.MIN_VALUE);
    }

    synchronized void add(Observation o, long sliceMs) {
      long s = o.start().toEpochMilli(), e = o.end().toEpochMilli();
      if (o.usage()) usageUntil = Math.max(usageUntil, e);
      if (o.dollars()) dollarsUntil = Math.max(dollarsUntil, e);
      double[] amounts = {o.usd(), o.tokens(), o.cacheRead(), o.prompt(), o.unpriced()};
      if (e <= s) { // an instant: all of it in the slice of its time
        put(Math.floorDiv(e - 1, sliceMs), amounts, 1.0);
        return;
      }
      // only the slices the ring can hold matter; the rest is older than any window
      long from = Math.max(s, (Math.floorDiv(e - 1, sliceMs) - RING + 1) * sliceMs);
      for (long cursor = from; cursor < e; ) {
        long b = Math.floorDiv(cursor, sliceMs);
        long next = Math.min(e, (b + 1) * sliceMs);
        put(b, amounts, (next - cursor) / (double) (e - s));
        cursor = next;
      }
    }

    private void put(long b, double[] amounts, double fraction) {
      int i = (int) Math.floorMod(b, (long) RING);
      if (slice[i] != b) {
        if (slice[i] > b) return; // older than the ring: outside any window
        slice[i] = b;
        Arrays.fill(sum[i], 0);
      }
      for (int k = 0; k < amounts.length; k++) sum[i][k] += amounts[k] * fraction;
      newestSlice = Math.max(newestSlice, b);
    }

    synchronized Sums sums(long nowMs, long windowMs, long sliceMs) {
      if (usageUntil == Long.MIN_VALUE && dollarsUntil == Long.MIN_VALUE) return null;
      boolean dollarsKnown = dollarsUntil != Long.MIN_VALUE;
      long end =
          usageUntil == Long.MIN_VALUE
              ? dollarsUntil
              : dollarsKnown ? Math.min(usageUntil, dollarsUntil) : usageUntil;
      if (nowMs - Math.max(usageUntil, dollarsUntil) >= windowMs)
        return null; // gone quiet for a whole window
      // a source lagging by more than the ring holds: the window ends where the ring still has
      // every slice
      end = Math.max(end, (newestSlice + 1 - (RING - SLICES - 1)) * sliceMs);
      long start = end - windowMs;
      double[] total = new double[5];
      for (int i = 0; i < RING; i++) {
        if (slice[i] == Long.MIN_VALUE) continue;
        long s = slice[i] * sliceMs, e = s + sliceMs;
        long overlap = Math.min(e, end) - Math.max(s, start);
        if (overlap <= 0) continue;
        double f = overlap / (double) sliceMs;
        for (int k = 0; k < total.length; k++) total[k] += sum[i][k] * f;
      }
      // after the lag fallback above, a stalled dollar source may not reach into the window at all
      boolean known = dollarsKnown && dollarsUntil > start;
      return new Sums(
          total[USD], total[TOKENS], total[CACHE], total[PROMPT], total[UNPRICED], known);
    }
  }
}
