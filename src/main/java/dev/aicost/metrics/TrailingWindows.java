package dev.aicost.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dollars and tokens per (provider, service, deployment, model, attribution) over a trailing window,
 * for {@code aicost_cost_per_1k_tokens_usd} and {@code aicost_cache_hit_ratio}. Each series keeps a
 * fixed ring of {@value #BUCKETS} buckets of window/{@value #BUCKETS} each, so memory does not grow
 * with how often sources commit (the window edge is as coarse as one bucket). Bounded by
 * {@code limits.max_series_per_metric}: keys beyond it share one series whose labels all read
 * {@value SeriesLimit#OVERFLOW} (the $/1k of those models together); a series leaves once quiet.
 */
public final class TrailingWindows {
  static final int BUCKETS = 15;

  private final long bucketMs;
  private final List<String> labelNames;
  private final Map<List<String>, Series> series = new ConcurrentHashMap<>();

  private final SeriesLimit limit;

  public TrailingWindows(Duration window, SeriesLimit limit) {
    this.limit = limit;
    this.bucketMs = Math.max(1, window.toMillis() / BUCKETS);
    this.labelNames = Metrics.COST_PER_1K.labelNames();
  }

  public void observe(List<String> key, Instant at, double usd, long tokens, long cacheRead, long prompt) {
    Series s = series.get(key);
    if (s == null) s = admit(key);
    s.add(at.toEpochMilli() / bucketMs, usd, tokens, cacheRead, prompt);
  }

  /** A new key's series, or the overflow series when the store is full; serialised so sources committing at once cannot overshoot. */
  private synchronized Series admit(List<String> key) {
    Series s = series.get(key);
    if (s != null) return s;
    List<String> k = key;
    List<String> overflow = SeriesLimit.overflow(key.size());
    if (!k.equals(overflow) && !limit.admits(series.size() - (series.containsKey(overflow) ? 1 : 0))) {
      limit.dropped(Metrics.COST_PER_1K, 1);
      limit.dropped(Metrics.CACHE_HIT_RATIO, 1);
      k = overflow;
    }
    return series.computeIfAbsent(List.copyOf(k), l -> new Series(Labels.of(labelNames, l)));
  }

  /** Visits each series with its sums over the window ending at {@code now}; drops series gone quiet. */
  public void forEach(Instant now, Visitor action) {
    long nowBucket = now.toEpochMilli() / bucketMs;
    series.forEach((key, s) -> {
      Sums sums = s.sums(nowBucket);
      if (sums == null) series.remove(key, s);
      else action.accept(s.labels, sums);
    });
  }

  @FunctionalInterface
  public interface Visitor {
    void accept(Labels labels, Sums sums);
  }

  public record Sums(double usd, long tokens, long cacheRead, long prompt) {
    /** Dollars per 1000 tokens, or NaN when no tokens were seen. */
    public double costPer1k() {
      return tokens == 0 ? Double.NaN : usd / (tokens / 1000.0);
    }

    public double cacheHitRatio() {
      return prompt == 0 ? Double.NaN : (double) cacheRead / prompt;
    }
  }

  private static final class Series {
    final Labels labels;
    final long[] bucket = new long[BUCKETS];
    final double[] usd = new double[BUCKETS];
    final long[] tokens = new long[BUCKETS];
    final long[] cacheRead = new long[BUCKETS];
    final long[] prompt = new long[BUCKETS];

    Series(Labels labels) {
      this.labels = labels;
      java.util.Arrays.fill(bucket, Long.MIN_VALUE);
    }

    synchronized void add(long b, double u, long t, long c, long p) {
      int i = (int) Math.floorMod(b, (long) BUCKETS);
      if (bucket[i] != b) {
        if (bucket[i] > b) return; // older than the ring: outside the window anyway
        bucket[i] = b;
        usd[i] = 0;
        tokens[i] = 0;
        cacheRead[i] = 0;
        prompt[i] = 0;
      }
      usd[i] += u;
      tokens[i] += t;
      cacheRead[i] += c;
      prompt[i] += p;
    }

    synchronized Sums sums(long nowBucket) {
      double u = 0;
      long t = 0, c = 0, p = 0;
      boolean any = false;
      for (int i = 0; i < BUCKETS; i++) {
        if (bucket[i] <= nowBucket - BUCKETS || bucket[i] > nowBucket) continue;
        any = true;
        u += usd[i];
        t += tokens[i];
        c += cacheRead[i];
        p += prompt[i];
      }
      return any ? new Sums(u, t, c, p) : null;
    }
  }
}
