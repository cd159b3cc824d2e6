package dev.aicost.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.config.ModelPriceConfig;
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
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** Intervals that cross a price change are priced part by part (issue 10). */
class PricedIntervalsTest {
  private static final Instant MIDNIGHT = Instant.parse("2026-11-24T00:00:00Z");

  private static PriceCatalog catalog(ModelPriceConfig... models) {
    return PriceCatalog.load(
        new PricingConfig("none", List.of(), List.of(models), Map.of(), List.of(), null),
        new LiteLlmPriceFile(new OkHttpClient()));
  }

  private static double total(BatchAccountant.Result r, Family f) {
    return r.increments().stream()
        .filter(i -> i.family() == f)
        .mapToDouble(Increment::amount)
        .sum();
  }

  @Test
  void tokensAcrossAnEffectiveFromDayAreSplitAtMidnight() {
    // $1 per 1M input tokens until 2026-11-24, $3 from then on; 1M tokens over 23:59 - 00:01
    PriceCatalog c =
        catalog(
            new ModelPriceConfig(
                "openai", "gpt-x", 1.0, null, null, null, "per_1m", LocalDate.parse("2026-01-01")),
            new ModelPriceConfig(
                "openai", "gpt-x", 3.0, null, null, null, "per_1m", LocalDate.parse("2026-11-24")));
    BatchAccountant a =
        new BatchAccountant(
            c,
            new GpuPriceResolver(List.of()),
            new AttributionRules(List.of()),
            d -> 0,
            Set.of(),
            Optional.empty());
    UsageDelta u =
        new UsageDelta(
            MIDNIGHT.minusSeconds(60),
            MIDNIGHT.plusSeconds(60),
            "openai",
            "chat",
            "",
            "gpt-x",
            Map.of(),
            new TokenCounts(1_000_000, 0, 0, 0),
            10);
    BatchAccountant.Result r = a.account(Batch.of(List.of(u), List.of(), null, null));
    assertEquals(0.5 * 1 + 0.5 * 3, total(r, Metrics.SPEND), 1e-9);
  }

  @Test
  void tokensBeforeAModelsFirstPriceAreUnpricedNotPricedLater() {
    PriceCatalog c =
        catalog(
            new ModelPriceConfig(
                "openai", "gpt-x", 3.0, null, null, null, "per_1m", LocalDate.parse("2026-11-24")));
    BatchAccountant a =
        new BatchAccountant(
            c,
            new GpuPriceResolver(List.of()),
            new AttributionRules(List.of()),
            d -> 0,
            Set.of(),
            Optional.empty());
    UsageDelta u =
        new UsageDelta(
            MIDNIGHT.minusSeconds(60),
            MIDNIGHT.plusSeconds(60),
            "openai",
            "chat",
            "",
            "gpt-x",
            Map.of(),
            new TokenCounts(1_000_000, 0, 0, 0),
            10);
    BatchAccountant.Result r = a.account(Batch.of(List.of(u), List.of(), null, null));
    assertEquals(1.5, total(r, Metrics.SPEND), 1e-9);
    assertEquals(500_000, total(r, Metrics.UNPRICED_TOKENS), 0);
  }

  @Test
  void gpuTimeAcrossAReloadIsChargedAtEachPriceForItsPart() {
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    PriceHistory prices = new PriceHistory();
    prices.adopt(t0.minusSeconds(60), catalog(), new GpuPriceResolver(List.of()));
    BatchAccountant a =
        new BatchAccountant(
            prices, new AttributionRules(List.of()), d -> 1, Set.of(), Optional.empty());
    // the source before the reload read at $3.60/h
    a.account(capacity(t0.minusSeconds(60), t0, "llama-prod", 3.60));
    prices.adopt(t0.plusSeconds(20), catalog(), new GpuPriceResolver(List.of()));
    // the source the reload built reads at $7.20/h, over an interval that began before it
    BatchAccountant.Result r = a.account(capacity(t0, t0.plusSeconds(60), "llama-prod", 7.20));
    // 20 s at $0.001/s, 40 s at $0.002/s
    assertEquals(0.02 + 0.08, total(r, Metrics.SPEND), 1e-12);
  }

  private static Batch capacity(Instant start, Instant end, String deployment, Double hourlyUsd) {
    return Batch.of(
        List.of(),
        List.of(
            new CapacityDelta(start, end, "self_hosted", "vllm", deployment, 1, hourlyUsd, null)),
        null,
        null);
  }
}
