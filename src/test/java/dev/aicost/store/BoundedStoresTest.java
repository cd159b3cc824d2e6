package dev.aicost.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-model gauge stores obey limits.max_series_per_metric like the counters do. */
class BoundedStoresTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static List<String> windowKey(String model) {
    return List.of("self_hosted", "vllm", "d", model, "unattributed", "", "", "", "");
  }

  private static Map<String, Double> dropped(SeriesLimit limit) {
    Map<String, Double> out = new HashMap<>();
    limit.forEachDropped(out::put);
    return out;
  }

  /** Usage and dollars of the 15 s ending at {@code at}. */
  private static void observe(
      TrailingWindows w,
      List<String> key,
      Instant at,
      double usd,
      long tokens,
      long cache,
      long prompt) {
    w.observe(
        new TrailingWindows.Observation(
            key, at.minusSeconds(15), at, true, true, usd, tokens, cache, prompt, 0));
  }

  @Test
  void trailingWindowsFoldModelsBeyondTheCapKeepingTheirDollarsAndTokens() {
    SeriesLimit limit = new SeriesLimit(10);
    TrailingWindows w = new TrailingWindows(Duration.ofMinutes(15), limit);
    for (int i = 0; i < 50; i++) observe(w, windowKey("m" + i), T0, 1.0, 1000, 100, 400);
    List<Labels> seen = new ArrayList<>();
    double[] usd = {0};
    double[] tokens = {0};
    Labels overflow = Labels.of(Metrics.COST_PER_1K.labelNames(), SeriesLimit.overflow(9));
    TrailingWindows.Sums[] folded = {null};
    w.forEach(
        T0,
        (labels, sums) -> {
          seen.add(labels);
          usd[0] += sums.usd();
          tokens[0] += sums.tokens();
          if (labels.equals(overflow)) folded[0] = sums;
        });
    assertEquals(11, seen.size(), "10 models plus one overflow series");
    assertEquals(50.0, usd[0], 1e-9);
    assertEquals(50_000, tokens[0], 1e-6);
    assertEquals(1.0, folded[0].costPer1k(), 1e-9, "the folded models' own $/1k");
    assertEquals(0.25, folded[0].cacheHitRatio(), 1e-9);
    assertEquals(40.0, dropped(limit).get(Metrics.COST_PER_1K.name()));
    assertEquals(40.0, dropped(limit).get(Metrics.CACHE_HIT_RATIO.name()));
  }

  @Test
  void trailingWindowsAdmitNewModelsOnceQuietOnesLeave() {
    SeriesLimit limit = new SeriesLimit(2);
    TrailingWindows w = new TrailingWindows(Duration.ofMinutes(15), limit);
    observe(w, windowKey("a"), T0, 1, 1000, 0, 0);
    observe(w, windowKey("b"), T0, 1, 1000, 0, 0);
    Instant later = T0.plus(Duration.ofMinutes(30));
    w.forEach(later, (l, s) -> {}); // both went quiet: dropped from the store
    observe(w, windowKey("c"), later, 1, 1000, 0, 0);
    List<String> models = new ArrayList<>();
    w.forEach(later, (l, s) -> models.add(l.get("model")));
    assertEquals(List.of("c"), models);
  }

  @Test
  void gaugesBeyondTheCapAreNotStoredAndAreCounted() {
    SeriesLimit limit = new SeriesLimit(10);
    GaugeStore g = new GaugeStore(limit);
    for (int i = 0; i < 50; i++)
      g.set(Metrics.PRICE_PER_TOKEN, List.of("openai", "m" + i, "input", "file"), 1e-6);
    g.set(
        Metrics.PRICE_PER_TOKEN,
        List.of("openai", "m3", "input", "file"),
        2e-6); // an existing series still updates
    g.set(Metrics.GPU_POWER, List.of("0", "GPU-1"), 300); // other families have their own room
    int[] n = {0};
    double[] m3 = {0};
    g.forEach(
        Metrics.PRICE_PER_TOKEN,
        (l, v) -> {
          n[0]++;
          if (l.get("model").equals("m3")) m3[0] = v;
        });
    assertEquals(10, n[0]);
    assertEquals(2e-6, m3[0]);
    int[] power = {0};
    g.forEach(Metrics.GPU_POWER, (l, v) -> power[0]++);
    assertEquals(1, power[0]);
    assertEquals(40.0, dropped(limit).get(Metrics.PRICE_PER_TOKEN.name()));
    assertTrue(!dropped(limit).containsKey(Metrics.GPU_POWER.name()));
  }
}
