package dev.aicost.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.config.GpuPriceConfig;
import dev.aicost.config.PricingConfig;
import dev.aicost.ledger.Increment;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.CapacityDelta;
import dev.aicost.model.GpuDelta;
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
 * GPU prices travel with the records (a deployment's gpu_hourly_usd in CapacityDelta and GpuDelta),
 * and a reload still splits an interval at its instant (issue 12, issue 10).
 */
class RecordPricesTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final String H100 = "NVIDIA H100 80GB HBM3";
  private static final int DEPLOYMENT = Metrics.SPEND.labelIndex(Metrics.DEPLOYMENT);

  private final PriceCatalog catalog =
      PriceCatalog.load(
          new PricingConfig("none", List.of(), List.of(), Map.of(), List.of(), null),
          new LiteLlmPriceFile(new OkHttpClient()));
  private final PriceHistory prices = new PriceHistory();
  private final BatchAccountant accountant =
      new BatchAccountant(
          prices, new AttributionRules(List.of()), d -> 1, Set.of(), Optional.empty());

  private static GpuPriceResolver gpus(double h100HourlyUsd) {
    return new GpuPriceResolver(List.of(new GpuPriceConfig(Map.of("name", H100), h100HourlyUsd)));
  }

  private static CapacityDelta capacity(
      Instant start, Instant end, String deployment, Double hourlyUsd) {
    return new CapacityDelta(start, end, "self_hosted", "vllm", deployment, 1, hourlyUsd, H100);
  }

  private static GpuDelta gpu(Instant start, Instant end, Double hourlyUsd) {
    double seconds = (end.toEpochMilli() - start.toEpochMilli()) / 1000.0;
    return new GpuDelta(
        start,
        end,
        "GPU-1",
        0,
        H100,
        "llama-prod",
        hourlyUsd,
        true,
        seconds / 2,
        seconds / 2,
        0,
        Double.NaN,
        -1,
        -1,
        Double.NaN);
  }

  private BatchAccountant.Result account(CapacityDelta... c) {
    return accountant.account(Batch.of(List.of(), List.of(c), null, null));
  }

  private static double total(BatchAccountant.Result r, Family f) {
    return r.increments().stream()
        .filter(i -> i.family() == f)
        .mapToDouble(Increment::amount)
        .sum();
  }

  private static double spend(BatchAccountant.Result r, String deployment) {
    return r.increments().stream()
        .filter(i -> i.family() == Metrics.SPEND && i.labels().get(DEPLOYMENT).equals(deployment))
        .mapToDouble(Increment::amount)
        .sum();
  }

  private static BatchAccountant.GaugeUpdate priceGauge(BatchAccountant.Result r) {
    return r.gauges().stream().filter(g -> g.family() == Metrics.GPU_PRICE).findFirst().get();
  }

  @Test
  void aRecordIsPricedAtTheHourlyPriceItCarries() {
    prices.adopt(T0, catalog, gpus(9.99));
    BatchAccountant.Result r = account(capacity(T0, T0.plusSeconds(100), "a", 3.60));
    assertEquals(0.1, total(r, Metrics.SPEND), 1e-12);
    assertEquals(List.of("", "", "a", "deployment"), priceGauge(r).labels());
    assertEquals(3.60, priceGauge(r).value());
    // none carried: pricing.gpus by the GPU name
    r = account(capacity(T0.plusSeconds(100), T0.plusSeconds(200), "b", null));
    assertEquals(9.99 * 100 / 3600, total(r, Metrics.SPEND), 1e-12);
    assertEquals(List.of("", "", "b", "config"), priceGauge(r).labels());
  }

  @Test
  void eachDeploymentKeepsItsOwnPriceAcrossAReload() {
    prices.adopt(T0.minusSeconds(60), catalog, gpus(9.99));
    account(
        capacity(T0.minusSeconds(60), T0, "a", 3.60), capacity(T0.minusSeconds(60), T0, "b", 1.80));
    prices.adopt(T0.plusSeconds(30), catalog, gpus(9.99));
    BatchAccountant.Result r =
        account(
            capacity(T0, T0.plusSeconds(60), "a", 7.20),
            capacity(T0, T0.plusSeconds(60), "b", 1.80));
    assertEquals(30 * 0.001 + 30 * 0.002, spend(r, "a"), 1e-12);
    assertEquals(60 * 0.0005, spend(r, "b"), 1e-12);
  }

  @Test
  void pricingGpusChangedByAReloadSplitsAtItsInstant() {
    prices.adopt(T0, catalog, gpus(3.60));
    prices.adopt(T0.plusSeconds(20), catalog, gpus(7.20));
    // the epochs hold pricing.gpus: no earlier record is needed
    BatchAccountant.Result r = account(capacity(T0, T0.plusSeconds(60), "a", null));
    assertEquals(0.02 + 0.08, total(r, Metrics.SPEND), 1e-12);
    assertEquals(7.20, priceGauge(r).value());
  }

  @Test
  void aGpuAcrossAReloadIsChargedAtEachPriceForItsPart() {
    prices.adopt(T0.minusSeconds(60), catalog, gpus(9.99));
    accountant.account(Batch.gpus(List.of(gpu(T0.minusSeconds(60), T0, 3.60)), null, null));
    prices.adopt(T0.plusSeconds(20), catalog, gpus(9.99));
    BatchAccountant.Result r =
        accountant.account(Batch.gpus(List.of(gpu(T0, T0.plusSeconds(60), 7.20)), null, null));
    assertEquals(0.02 + 0.08, total(r, Metrics.GPU_COST), 1e-12);
    assertEquals(0.02 + 0.08, total(r, Metrics.SPEND), 1e-12);
    assertEquals(List.of("0", "GPU-1", "llama-prod", "deployment"), priceGauge(r).labels());
    assertEquals(7.20, priceGauge(r).value());
  }

  @Test
  void aRecordReadAgainAfterAFailedCommitCostsTheSame() {
    prices.adopt(T0.minusSeconds(60), catalog, gpus(9.99));
    account(capacity(T0.minusSeconds(60), T0, "a", 3.60));
    prices.adopt(T0.plusSeconds(20), catalog, gpus(9.99));
    double first = total(account(capacity(T0, T0.plusSeconds(60), "a", 7.20)), Metrics.SPEND);
    double again = total(account(capacity(T0, T0.plusSeconds(60), "a", 7.20)), Metrics.SPEND);
    assertEquals(0.02 + 0.08, first, 1e-12);
    assertEquals(first, again, 0);
  }

  @Test
  void aSeriesWithNoRecordBeforeTheReloadIsPricedAtItsOwnPrice() {
    // nothing of "a" was booked before the reload (a new deployment, or an upstream down since
    // start): its own price is the only one known
    prices.adopt(T0, catalog, gpus(9.99));
    account(capacity(T0.minusSeconds(60), T0, "other", 3.60));
    prices.adopt(T0.plusSeconds(20), catalog, gpus(9.99));
    assertEquals(
        0.12, total(account(capacity(T0, T0.plusSeconds(60), "a", 7.20)), Metrics.SPEND), 1e-12);
  }
}
