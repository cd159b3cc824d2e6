package dev.aicost.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.config.PricingConfig;
import dev.aicost.ledger.Increment;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.LiteLlmPriceFile;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.pricing.PriceHistory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * A deployment no configuration names (a discovered pod's) is priced by the GPU count its own
 * capacity records carry: its tokens are not unpriced, and one with no GPUs still is.
 */
class SourceGpuBasisTest {
  static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  static BatchAccountant accountant() {
    PriceHistory prices = new PriceHistory();
    prices.adopt(
        T0.minusSeconds(3600),
        PriceCatalog.load(
            new PricingConfig("none", List.of(), List.of(), Map.of(), List.of(), null),
            new LiteLlmPriceFile(new OkHttpClient())),
        new GpuPriceResolver(List.of()));
    // no configured deployment: the gpu_count lookup knows none of them
    return new BatchAccountant(
        prices, new AttributionRules(List.of()), d -> 0, Set.of(), Optional.empty());
  }

  static UsageDelta usage(String deployment) {
    return new UsageDelta(
        T0,
        T0.plusSeconds(60),
        "self_hosted",
        "vllm",
        deployment,
        "llama",
        Map.of("namespace", "llm"),
        new TokenCounts(1000, 0, 0, 100),
        3);
  }

  static double total(BatchAccountant.Result r, Family f) {
    return r.increments().stream()
        .filter(i -> i.family() == f)
        .mapToDouble(Increment::amount)
        .sum();
  }

  @Test
  void capacityWithGpusInTheSameBatchIsTheCostBasis() {
    CapacityDelta gpus =
        new CapacityDelta(T0, T0.plusSeconds(60), "self_hosted", "vllm", "llama", 2, 3.60, null);
    BatchAccountant.Result r =
        accountant().account(Batch.of(List.of(usage("llama")), List.of(gpus), null, null));
    assertEquals(0, total(r, Metrics.UNPRICED_TOKENS));
    assertEquals(2 * 3.60 * 60 / 3600, total(r, Metrics.SPEND), 1e-9);
  }

  @Test
  void aFirstReadsZeroLengthMarkerPricesNothingButSaysTheBasis() {
    CapacityDelta marker = new CapacityDelta(T0, T0, "self_hosted", "vllm", "llama", 2, 3.60, null);
    BatchAccountant.Result r =
        accountant().account(Batch.of(List.of(usage("llama")), List.of(marker), null, null));
    assertEquals(0, total(r, Metrics.UNPRICED_TOKENS));
    assertEquals(0, total(r, Metrics.SPEND), 1e-12);
  }

  @Test
  void withoutGpusTheTokensStayUnpriced() {
    CapacityDelta none =
        new CapacityDelta(T0, T0.plusSeconds(60), "self_hosted", "vllm", "llama", 0, 3.60, null);
    BatchAccountant.Result r =
        accountant().account(Batch.of(List.of(usage("llama")), List.of(none), null, null));
    assertTrue(total(r, Metrics.UNPRICED_TOKENS) >= 1000);
  }
}
