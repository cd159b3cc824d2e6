package dev.aicost.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.config.ModelPriceConfig;
import dev.aicost.config.PricingConfig;
import dev.aicost.ledger.Ledger;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.BilledAmount;
import dev.aicost.model.SpendDelta;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.LiteLlmPriceFile;
import dev.aicost.pricing.PriceCatalog;
import dev.aicost.store.CounterStore;
import dev.aicost.store.GaugeStore;
import dev.aicost.store.SeriesLimit;
import dev.aicost.store.TrailingWindows;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed usage dated by its bucket, bills stored per day (a revision replaces), and the drift
 * between estimate and bill, all through the real sink and ledger.
 */
class ReconciliationTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final LocalDate FIRST = LocalDate.parse("2026-11-20");
  @TempDir Path dir;
  private Ledger ledger;
  private GaugeStore gauges;
  private AccountingSink sink;

  @BeforeEach
  void open() throws Exception {
    SeriesLimit limit = new SeriesLimit(1000);
    ledger = new Ledger(dir.resolve("l.db"), new CounterStore(1000));
    gauges = new GaugeStore(limit);
    PriceCatalog catalog =
        PriceCatalog.load(
            new PricingConfig(
                "none",
                List.of(),
                List.of(
                    new ModelPriceConfig("openai", "gpt-x", 1.0, null, null, 4.0, "per_1m", null),
                    new ModelPriceConfig("aws", "model-b", 2.0, null, null, 4.0, "per_1m", null)),
                Map.of(),
                List.of(),
                null),
            new LiteLlmPriceFile(new OkHttpClient()));
    BatchAccountant accountant =
        new BatchAccountant(
            catalog,
            new GpuPriceResolver(List.of()),
            new AttributionRules(List.of()),
            d -> 0,
            Set.of(),
            Optional.empty());
    sink =
        new AccountingSink(
            accountant, ledger, new TrailingWindows(Duration.ofMinutes(15), limit), gauges);
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  /** 1M input tokens in the hour bucket 23:00-24:00 of a day: $1 at gpt-x's price. */
  private static UsageDelta lateHour(String provider, String service, String model, LocalDate d) {
    Instant start = d.atStartOfDay(ZoneOffset.UTC).plusHours(23).toInstant();
    return new UsageDelta(
        start,
        start.plusSeconds(3600),
        provider,
        service,
        "",
        model,
        Map.of("project_id", "proj_1"),
        new TokenCounts(1_000_000, 0, 0, 0),
        10);
  }

  private Map<String, Double> gauge(Family f) {
    Map<String, Double> out = new HashMap<>();
    gauges.forEach(f, (labels, v) -> out.put(String.join("/", labelValues(labels)), v));
    return out;
  }

  private static List<String> labelValues(io.prometheus.metrics.model.snapshots.Labels labels) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) out.add(labels.getValue(i));
    return out;
  }

  @Test
  void driftComparesTheEstimateWithTheBillOverCompleteDays() throws Exception {
    List<UsageDelta> usage = new ArrayList<>();
    List<BilledAmount> billed = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      usage.add(lateHour("openai", "completions", "gpt-x", FIRST.plusDays(i)));
      billed.add(new BilledAmount("openai", "api", FIRST.plusDays(i), 1.10));
    }
    // today's partial day is billed too, and stays out of the drift
    billed.add(new BilledAmount("openai", "api", LocalDate.parse("2026-11-27"), 50));
    sink.accept("openai", Batch.managed(usage, billed, List.of(), "{}", null), NOW);

    assertEquals(1.10, gauge(Metrics.BILLED).get("openai/yesterday"), 1e-9);
    assertEquals(7 * 1.10 + 50, gauge(Metrics.BILLED).get("openai/month_to_date"), 1e-9);
    assertEquals((7.0 - 7.7) / 7.7, gauge(Metrics.RECONCILIATION_DRIFT).get("openai"), 1e-9);

    // the bill for the 26th is revised: it replaces, never adds
    sink.accept(
        "openai",
        Batch.managed(
            List.of(),
            List.of(new BilledAmount("openai", "api", LocalDate.parse("2026-11-26"), 1.00)),
            List.of(),
            "{}",
            null),
        NOW);
    assertEquals(1.00, gauge(Metrics.BILLED).get("openai/yesterday"), 1e-9);
    assertEquals((7.0 - 7.6) / 7.6, gauge(Metrics.RECONCILIATION_DRIFT).get("openai"), 1e-9);
  }

  @Test
  void aBucketIsDatedByItsStartNotByWhenItClosed() throws Exception {
    sink.accept(
        "openai",
        Batch.managed(
            List.of(lateHour("openai", "completions", "gpt-x", FIRST)),
            List.of(),
            List.of(),
            "{}",
            null),
        NOW);
    Instant day = FIRST.atStartOfDay(ZoneOffset.UTC).toInstant();
    double inDay =
        ledger.hourly(Metrics.SPEND, day, day.plusSeconds(86_400)).stream()
            .mapToDouble(Ledger.HourlyRow::value)
            .sum();
    assertEquals(1.0, inDay, 1e-9, "the 23:00 bucket belongs to its own day");
  }

  @Test
  void anAwsBillCountsOnlyTheServicesTheEstimateCovers() throws Exception {
    LocalDate d = LocalDate.parse("2026-11-26");
    Instant dayStart = d.atStartOfDay(ZoneOffset.UTC).toInstant();
    sink.accept(
        "aws_cost_explorer",
        Batch.managed(
            List.of(lateHour("aws", "bedrock", "model-b", d)),
            List.of(
                new BilledAmount("aws", "bedrock", d, 2.0),
                new BilledAmount("aws", "Amazon Elastic Compute Cloud - Compute", d, 100.0)),
            List.of(
                new SpendDelta(
                    dayStart,
                    dayStart.plusSeconds(86_400),
                    "aws",
                    "ec2",
                    "compute",
                    "",
                    "",
                    Map.of(),
                    100.0)),
            "{}",
            null),
        NOW);
    assertEquals(102.0, gauge(Metrics.BILLED).get("aws/yesterday"), 1e-9);
    assertEquals(0.0, gauge(Metrics.RECONCILIATION_DRIFT).get("aws"), 1e-9, "EC2 is no drift");
    double compute =
        ledger.hourly(Metrics.SPEND, dayStart, dayStart.plusSeconds(86_400)).stream()
            .filter(r -> r.labels().contains("compute"))
            .mapToDouble(Ledger.HourlyRow::value)
            .sum();
    assertEquals(100.0, compute, 1e-9, "a bill's stated dollars are spend, on their day");
  }

  @Test
  void noDriftWithoutABill() throws Exception {
    sink.accept(
        "openai",
        Batch.managed(
            List.of(lateHour("openai", "completions", "gpt-x", FIRST)),
            List.of(new BilledAmount("openai", "api", LocalDate.parse("2026-10-01"), 3)),
            List.of(),
            "{}",
            null),
        NOW);
    assertNull(gauge(Metrics.RECONCILIATION_DRIFT).get("openai"));
    assertEquals(0.0, gauge(Metrics.BILLED).get("openai/month_to_date"), 1e-9);
  }
}
