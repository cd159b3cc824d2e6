package dev.aicost.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.attribution.AttributionRules;
import dev.aicost.collect.Batch;
import dev.aicost.config.PricingConfig;
import dev.aicost.ledger.Increment;
import dev.aicost.metrics.Family;
import dev.aicost.metrics.Metrics;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.UsageDelta;
import dev.aicost.pricing.GpuPriceResolver;
import dev.aicost.pricing.LiteLlmPriceFile;
import dev.aicost.pricing.PriceCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** Managed-API token dollars through the accountant, at the built-in list prices (issue 13). */
class ManagedTokenCostTest {
  private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
  private static final Instant END = START.plusSeconds(3600);

  private final BatchAccountant accountant =
      new BatchAccountant(
          PriceCatalog.load(
              new PricingConfig(null, null, null, null, null, null),
              new LiteLlmPriceFile(new OkHttpClient())),
          new GpuPriceResolver(List.of()),
          new AttributionRules(List.of()),
          d -> 0,
          Set.of(),
          Optional.empty());

  private static UsageDelta usage(
      String provider, String service, String model, Map<String, String> ids, TokenCounts t) {
    return new UsageDelta(START, END, provider, service, "", model, ids, t, 1);
  }

  private BatchAccountant.Result account(UsageDelta... u) {
    return accountant.account(Batch.of(List.of(u), List.of(), null, null));
  }

  /** Sum of a family's increments whose token_type label is {@code type} ("" = all types). */
  private static double sum(BatchAccountant.Result r, Family f, String type) {
    int typeAt = f.labelIndex(Metrics.TOKEN_TYPE);
    return r.increments().stream()
        .filter(i -> i.family() == f)
        .filter(i -> type.isEmpty() || i.labels().get(typeAt).equals(type))
        .mapToDouble(Increment::amount)
        .sum();
  }

  @Test
  void openAiGpt4oWithCachedInput() {
    // 1,000,000 input tokens of which 200,000 cached: 800k x $2.50/1M + 200k x $1.25/1M
    BatchAccountant.Result r =
        account(
            usage(
                "openai",
                "completions",
                "gpt-4o-2024-08-06",
                Map.of("project_id", "proj_1", "service_tier", "default", "batch", "false"),
                new TokenCounts(800_000, 200_000, 0, 0)));
    assertEquals(2.00, sum(r, Metrics.SPEND, "input"), 1e-9);
    assertEquals(0.25, sum(r, Metrics.SPEND, "cache_read"), 1e-9);
    assertEquals(0, sum(r, Metrics.UNPRICED_TOKENS, ""));
  }

  @Test
  void anthropicUncachedInputPlusOneHourCacheWrite() {
    // the source emits 1-hour writes as their own record (cache_ttl=1h, requests 0)
    UsageDelta input =
        usage(
            "anthropic",
            "messages",
            "claude-3-5-sonnet-20241022",
            Map.of("workspace_id", "wrkspc_1", "context_window", "0-200k"),
            new TokenCounts(1_000_000, 0, 0, 0));
    UsageDelta oneHour =
        new UsageDelta(
            START,
            END,
            "anthropic",
            "messages",
            "",
            "claude-3-5-sonnet-20241022",
            Map.of("workspace_id", "wrkspc_1", "context_window", "0-200k", "cache_ttl", "1h"),
            new TokenCounts(0, 0, 100_000, 0),
            0);
    BatchAccountant.Result r = account(input, oneHour);
    assertEquals(3.00, sum(r, Metrics.SPEND, "input"), 1e-9);
    // 100k x 2 x $3/1M = $0.60, not the 5-minute $0.375
    assertEquals(0.60, sum(r, Metrics.SPEND, "cache_write"), 1e-9);
  }

  @Test
  void batchRequestsCostHalf() {
    Map<String, String> batch = Map.of("batch", "true", "service_tier", "default");
    BatchAccountant.Result r =
        account(
            usage(
                "openai",
                "completions",
                "gpt-4o",
                batch,
                new TokenCounts(1_000_000, 0, 0, 1_000_000)));
    assertEquals(1.25, sum(r, Metrics.SPEND, "input"), 1e-9);
    assertEquals(5.00, sum(r, Metrics.SPEND, "output"), 1e-9);
  }

  @Test
  void anthropicLongContextIsPricedAtItsOwnRate() {
    BatchAccountant.Result r =
        account(
            usage(
                "anthropic",
                "messages",
                "claude-sonnet-4-5-20250929",
                Map.of("context_window", "200k-1M"),
                new TokenCounts(1_000_000, 0, 0, 100_000)));
    assertEquals(6.00, sum(r, Metrics.SPEND, "input"), 1e-9);
    assertEquals(2.25, sum(r, Metrics.SPEND, "output"), 1e-9);
  }

  @Test
  void unknownModelOrUnpublishedTierIsCountedUnpricedNeverZeroDollars() {
    BatchAccountant.Result r =
        account(
            usage(
                "openai",
                "completions",
                "ft:gpt-9-internal",
                Map.of(),
                new TokenCounts(1_000, 0, 0, 500)),
            usage(
                "openai",
                "completions",
                "gpt-5-nano",
                Map.of("service_tier", "priority"),
                new TokenCounts(2_000, 0, 0, 0)));
    assertEquals(1_000 + 500 + 2_000, sum(r, Metrics.UNPRICED_TOKENS, ""), 1e-9);
    assertTrue(
        r.increments().stream().noneMatch(i -> i.family() == Metrics.SPEND),
        "no spend series at all for unpriced usage, not a $0 one");
    assertEquals(3_500, sum(r, Metrics.TOKENS, ""), 1e-9);
  }

  @Test
  void bedrockProfilePrefixAndRegionChooseTheRow() {
    // 1,000,000 input + 200,000 output tokens of Claude Sonnet 4.5: $3/$15 per 1M through a
    // global. profile, 10 % more through a geographic one
    TokenCounts t = new TokenCounts(1_000_000, 0, 0, 200_000);
    String model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    BatchAccountant.Result global =
        account(usage("aws", "bedrock", "global." + model, Map.of("region", "us-east-1"), t));
    BatchAccountant.Result us =
        account(usage("aws", "bedrock", "us." + model, Map.of("region", "us-east-1"), t));
    assertEquals(6.00, sum(global, Metrics.SPEND, ""), 1e-9);
    assertEquals(6.60, sum(us, Metrics.SPEND, ""), 1e-9);
    // Llama 3 70B costs more in Sao Paulo: 1M x 4.45 + 0.2M x 5.88
    BatchAccountant.Result saoPaulo =
        account(
            usage(
                "aws",
                "bedrock",
                "meta.llama3-70b-instruct-v1:0",
                Map.of("region", "sa-east-1"),
                t));
    assertEquals(4.45 + 1.176, sum(saoPaulo, Metrics.SPEND, ""), 1e-9);
  }
}
