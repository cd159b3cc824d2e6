package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.bench.VllmPageGenerator;
import dev.aicost.collect.CollectorHealth;
import dev.aicost.metrics.Metrics;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: one vLLM page with 20,000 model names, through the real pipeline (HTTP read, parser,
 * accounting, ledger, exposition), must leave every family bounded by limits.max_series_per_metric
 * (plus one {@code __overflow__} series) with totals intact, and so must a restart on the ledger it
 * wrote. Resident memory under the launcher's flags is measured by bench/cardinality.sh, not here.
 */
class CardinalityEndToEndTest {
  static final int MODELS = 20_000;
  static final int CAP = 5_000;
  @TempDir Path dir;

  private String yaml(String url) {
    return yaml(url, "max_models_per_source: " + MODELS);
  }

  private String yaml(String url, String extraLimit) {
    return """
        state: { path: %s }
        limits: { max_series_per_metric: %d, %s }
        sources:
          vllm:
            - { name: many, url: "%s", interval: 1h, timeout: 30s, gpu_count: 8, gpu_hourly_usd: 2.5 }
        """
        .formatted(dir.resolve("ledger.db"), CAP, extraLimit, url);
  }

  /** Series per family name on a text exposition. */
  private static Map<String, Integer> families(String exposition) {
    Map<String, Integer> out = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int end = line.indexOf('{');
      out.merge(
          end < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, end), 1, Integer::sum);
    }
    return out;
  }

  private static void assertBounded(Map<String, Integer> families, String... full) {
    for (Map.Entry<String, Integer> f : families.entrySet()) {
      assertTrue(
          f.getValue() <= CAP + 1,
          f.getKey() + " has " + f.getValue() + " series, cap " + CAP + " (+1 overflow)");
    }
    for (String f : full) {
      assertEquals(CAP + 1, families.get(f), f + ": full, with its overflow series");
    }
  }

  @Test
  void twentyThousandModelsOnOnePageStayWithinTheCapAndSurviveARestart() throws Exception {
    VllmPageGenerator.ManyModels page = new VllmPageGenerator.ManyModels(MODELS);
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    double spend;
    try (FakeVllmServer vllm = new FakeVllmServer()) {
      vllm.page(page.render(0));
      try (RunningExporter ex = new RunningExporter(yaml(vllm.url()), null, clock, false)) {
        ex.awaitFirstRuns();
        vllm.page(page.render(1));
        clock.advance(Duration.ofSeconds(15));
        ex.collect("vllm/many"); // GPU dollars shared over 20,000 models, and the window gauges
        CollectorHealth h = ex.exporter.orchestrator().health("vllm/many");
        assertTrue(h.success(), h.lastError());

        String metrics = ex.text("/metrics");
        assertBounded(
            families(metrics),
            "aicost_tokens_total",
            "aicost_requests_total",
            "aicost_spend_usd_total",
            "aicost_cache_hit_ratio");
        assertEquals(
            page.tokens(1), ex.exporter.counters().sum(Metrics.TOKENS), 1e-6, "folded, not lost");
        assertEquals(page.requests(1), ex.exporter.counters().sum(Metrics.REQUESTS), 1e-6);
        spend = ex.exporter.counters().sum(Metrics.SPEND);
        assertEquals(
            8 * 2.5 * 15 / 3600, spend, 1e-9, "15 s of 8 GPUs at $2.50/h, over every model");
        assertTrue(
            metrics.contains("aicost_series_dropped_total{metric=\"aicost_tokens\"}"),
            "the folds are counted");
      }
      // restart on the ledger just written: restore must fold too, not load 60,000 token series
      try (RunningExporter ex = new RunningExporter(yaml(vllm.url()), null, clock, false)) {
        ex.awaitFirstRuns();
        assertTrue(ex.exporter.orchestrator().health("vllm/many").success());
        // the window gauges start empty after a restart; the counters come back from the ledger
        assertBounded(
            families(ex.text("/metrics")),
            "aicost_tokens_total",
            "aicost_requests_total",
            "aicost_spend_usd_total");
        assertEquals(
            page.tokens(1),
            ex.exporter.counters().sum(Metrics.TOKENS),
            1e-6,
            "nothing lost or counted twice");
        assertEquals(spend, ex.exporter.counters().sum(Metrics.SPEND), 1e-9);
      }
    }
  }

  /**
   * With the default limits.max_models_per_source (1,000) the source itself keeps the rest
   * together, exactly.
   */
  @Test
  void theSourceTracksAtMostMaxModelsAndCountsTheRestTogether() throws Exception {
    VllmPageGenerator.ManyModels page = new VllmPageGenerator.ManyModels(MODELS);
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    try (FakeVllmServer vllm = new FakeVllmServer()) {
      vllm.page(page.render(0));
      try (RunningExporter ex =
          new RunningExporter(
              yaml(vllm.url(), "max_models_per_source: 1000"), null, clock, false)) {
        ex.awaitFirstRuns();
        for (int i = 1; i <= 3; i++) {
          vllm.page(page.render(i));
          clock.advance(Duration.ofSeconds(15));
          ex.collect("vllm/many");
        }
        CollectorHealth h = ex.exporter.orchestrator().health("vllm/many");
        assertTrue(h.success(), h.lastError());
        String metrics = ex.text("/metrics");
        Map<String, Integer> f = families(metrics);
        assertTrue(f.get("aicost_requests_total") <= 1001, f.toString());
        assertTrue(metrics.contains("model=\"__overflow__\""), "the rest counted together");
        assertTrue(metrics.contains("reason=\"too_many_models\""), "and said so");
        assertEquals(
            page.tokens(3), ex.exporter.counters().sum(Metrics.TOKENS), 1e-6, "folded, not lost");
        assertEquals(page.requests(3), ex.exporter.counters().sum(Metrics.REQUESTS), 1e-6);
      }
    }
  }
}
