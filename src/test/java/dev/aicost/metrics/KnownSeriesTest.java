package dev.aicost.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.exposition.ExporterCollector;
import dev.aicost.exposition.PriceGauges;
import dev.aicost.model.GpuInventory;
import dev.aicost.store.CounterStore;
import dev.aicost.store.GaugeStore;
import dev.aicost.store.SeriesLimit;
import dev.aicost.store.TrailingWindows;
import dev.aicost.testing.FakeVllmServer;
import dev.aicost.testing.MutableClock;
import dev.aicost.testing.RunningExporter;
import dev.aicost.testing.VllmPages;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counters whose label values are known exist at 0 before their first event, so rate() and alerts
 * see it.
 */
class KnownSeriesTest {
  @TempDir Path dir;

  @Test
  void everyErrorReasonOfEveryCollectorStartsAtZero() throws Exception {
    try (FakeVllmServer good =
            new FakeVllmServer().page(VllmPages.v1("m", "0", 1000, 100, 250, 10, 1.7e9));
        FakeVllmServer bad = new FakeVllmServer().status(500).page("oops");
        RunningExporter ex =
            new RunningExporter(
                """
            state: { path: %s }
            sources:
              nvml: { enabled: false }
              vllm:
                - { name: good, url: "%s", interval: 1h }
                - { name: broken, url: "%s", interval: 1h }
            """
                    .formatted(dir.resolve("l.db"), good.url(), bad.url()),
                null,
                new MutableClock(Instant.parse("2026-11-23T10:00:00Z")),
                false)) {
      ex.awaitFirstRuns();
      String text = ex.text("/metrics");
      for (String reason :
          List.of(
              "timeout",
              "connect",
              "http_status",
              "parse",
              "too_large",
              "io",
              "label_too_long",
              "bad_value",
              "duplicate_series",
              "bad_label",
              "ledger",
              "internal")) {
        assertTrue(
            text.contains(
                "aicost_collector_errors_total{collector=\"vllm/good\",reason=\""
                    + reason
                    + "\"} 0.0\n"),
            reason + "\n" + text);
      }
      assertTrue(
          text.contains(
              "aicost_collector_errors_total{collector=\"vllm/broken\",reason=\"http_status\"} 1.0\n"),
          text);
      assertTrue(
          text.contains(
              "aicost_collector_errors_total{collector=\"vllm/broken\",reason=\"timeout\"} 0.0\n"),
          text);
      for (Family f : Metrics.PERSISTED_COUNTERS) {
        assertTrue(
            text.contains("aicost_series_dropped_total{metric=\"" + f.name() + "\"} 0.0\n"),
            f.name() + "\n" + text);
      }
    }
  }

  @Test
  void unpricedTokensAtZeroForEveryPricedModelAndDroppedSeriesPerFamily() {
    SeriesLimit limit = new SeriesLimit(2);
    CounterStore counters = new CounterStore(limit);
    List<String> attr = List.of("", "", "", "", "");
    counters.add(
        Metrics.TOKENS,
        labels(List.of("openai", "openai_completions", "", "gpt-4o", "input"), attr),
        10);
    counters.add(
        Metrics.TOKENS,
        labels(List.of("openai", "openai_completions", "", "gpt-4o", "output"), attr),
        5);
    counters.add(
        Metrics.TOKENS, labels(List.of("self_hosted", "vllm", "d", "llama", "input"), attr), 7);
    counters.add(
        Metrics.UNPRICED_TOKENS, List.of("openai", "openai_completions", "gpt-4o", "output"), 5);
    CounterStore.Admission batch = counters.admission();
    List<String> folded =
        batch.admit(
            Metrics.TOKENS,
            labels(List.of("openai", "openai_completions", "", "gpt-9", "input"), attr));
    counters.add(Metrics.TOKENS, folded, 3);
    batch.committed();

    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    ExporterCollector c =
        new ExporterCollector(
            clock,
            counters,
            new GaugeStore(limit),
            new TrailingWindows(Duration.ofMinutes(15), limit),
            new PriceGauges(counters, () -> null, clock),
            () -> null,
            new BuildInfo("1", "abc"),
            () -> GpuInventory.EMPTY);
    Map<String, Double> unpriced = values(c, "aicost_unpriced_tokens", "model", "token_type");
    assertEquals(
        Map.of("gpt-4o/input", 0.0, "gpt-4o/output", 5.0),
        unpriced,
        "self-hosted tokens are never unpriced");
    Map<String, Double> dropped = values(c, "aicost_series_dropped", "metric");
    assertEquals(Metrics.PERSISTED_COUNTERS.size(), dropped.size());
    assertEquals(1.0, dropped.get("aicost_tokens"));
    assertEquals(0.0, dropped.get("aicost_spend_usd"));
    assertFalse(unpriced.containsKey(CounterStore.OVERFLOW + "/" + CounterStore.OVERFLOW));
  }

  private static List<String> labels(List<String> ids, List<String> attribution) {
    List<String> all = new java.util.ArrayList<>(ids);
    all.addAll(attribution);
    return all;
  }

  private static Map<String, Double> values(ExporterCollector c, String family, String... keys) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (MetricSnapshot s : c.collect()) {
      if (!s.getMetadata().getName().equals(family)) continue;
      for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) s).getDataPoints()) {
        StringBuilder k = new StringBuilder();
        for (String key : keys) k.append(k.length() == 0 ? "" : "/").append(p.getLabels().get(key));
        out.put(k.toString(), p.getValue());
      }
    }
    return out;
  }
}
