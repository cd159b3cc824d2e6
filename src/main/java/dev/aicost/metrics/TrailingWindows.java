package dev.aicost.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Dollars and tokens per (provider, service, deployment, model, attribution) over a trailing window,
 * for {@code aicost_cost_per_1k_tokens_usd} and {@code aicost_cache_hit_ratio}. Observations arrive
 * after each committed batch; scrapes read sums.
 */
public final class TrailingWindows {
  private final Duration window;
  private final Map<List<String>, Series> series = new ConcurrentHashMap<>();

  public TrailingWindows(Duration window) {
    this.window = window;
  }

  public void observe(List<String> key, Instant at, double usd, long tokens, long cacheRead, long prompt) {
    series.computeIfAbsent(List.copyOf(key), k -> new Series()).add(new Obs(at.toEpochMilli(), usd, tokens, cacheRead, prompt));
  }

  /** Visits each key with its sums over the window ending at {@code now}; drops keys gone quiet. */
  public void forEach(Instant now, BiConsumer<List<String>, Sums> action) {
    long cutoff = now.toEpochMilli() - window.toMillis();
    series.forEach((key, s) -> {
      Sums sums = s.sums(cutoff);
      if (sums == null) series.remove(key, s);
      else action.accept(key, sums);
    });
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

  private record Obs(long atMs, double usd, long tokens, long cacheRead, long prompt) {}

  private static final class Series {
    private final ArrayDeque<Obs> obs = new ArrayDeque<>();

    synchronized void add(Obs o) {
      obs.addLast(o);
    }

    synchronized Sums sums(long cutoffMs) {
      while (!obs.isEmpty() && obs.peekFirst().atMs < cutoffMs) obs.removeFirst();
      if (obs.isEmpty()) return null;
      double usd = 0;
      long tokens = 0, cacheRead = 0, prompt = 0;
      for (Obs o : obs) {
        usd += o.usd;
        tokens += o.tokens;
        cacheRead += o.cacheRead;
        prompt += o.prompt;
      }
      return new Sums(usd, tokens, cacheRead, prompt);
    }
  }
}
