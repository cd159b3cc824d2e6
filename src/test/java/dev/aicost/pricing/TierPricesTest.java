package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aicost.model.TokenType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batch, flex, priority, long-context and one-hour-cache prices chosen by the record's ids. */
class TierPricesTest {
  private static final double M = 1_000_000d;
  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private final PriceCatalog catalog = new PriceCatalog(List.of(BuiltinPrices.load()), Map.of());

  private Double perMillion(String provider, String model, TokenType t, Map<String, String> ids) {
    PriceScope scope = PriceScope.of(ids);
    Double v =
        catalog.priceFor(provider, model, NOW, scope).map(p -> p.forType(t, scope)).orElse(null);
    return v == null ? null : v * M;
  }

  @Test
  void scopeIsReadFromTheSourceIdConventions() {
    assertEquals(PriceScope.STANDARD, PriceScope.of(Map.of()));
    assertEquals(PriceScope.STANDARD, PriceScope.of(Map.of("service_tier", "default")));
    assertEquals(PriceScope.STANDARD, PriceScope.of(Map.of("service_tier", "standard_only")));
    assertEquals("batch", PriceScope.of(Map.of("batch", "true", "service_tier", "default")).tier());
    assertEquals("batch", PriceScope.of(Map.of("service_tier", "batch")).tier());
    assertEquals("flex", PriceScope.of(Map.of("service_tier", "Flex")).tier());
    assertEquals("scale", PriceScope.of(Map.of("service_tier", "scale")).tier());
    assertFalse(PriceScope.of(Map.of("context_window", "0-200k")).longContext());
    assertTrue(PriceScope.of(Map.of("context_window", "200k-1M")).longContext());
    assertTrue(PriceScope.of(Map.of("cache_ttl", "1h")).oneHourCacheWrite());
    assertEquals("us-east-1", PriceScope.of(Map.of("region", "US-EAST-1")).region());
  }

  @Test
  void openAiFlexAndPriorityUseTheirPublishedRates() {
    Map<String, String> flex = Map.of("service_tier", "flex");
    Map<String, String> priority = Map.of("service_tier", "priority");
    assertEquals(0.625, perMillion("openai", "gpt-5", TokenType.INPUT, flex), 1e-9);
    assertEquals(0.0625, perMillion("openai", "gpt-5", TokenType.CACHE_READ, flex), 1e-9);
    assertEquals(5.0, perMillion("openai", "gpt-5", TokenType.OUTPUT, flex), 1e-9);
    assertEquals(2.5, perMillion("openai", "gpt-5-2025-08-07", TokenType.INPUT, priority), 1e-9);
    assertEquals(4.25, perMillion("openai", "gpt-4o", TokenType.INPUT, priority), 1e-9);
    assertEquals(17.0, perMillion("openai", "gpt-4o", TokenType.OUTPUT, priority), 1e-9);
    // no published priority rate for gpt-5-nano, no per-token price at all for scale: unpriced
    assertNull(perMillion("openai", "gpt-5-nano", TokenType.INPUT, priority));
    assertNull(perMillion("openai", "gpt-4o", TokenType.INPUT, Map.of("service_tier", "scale")));
  }

  @Test
  void batchIsHalfWhereTheProviderSaysSoAndUnknownElsewhere() {
    Map<String, String> batch = Map.of("batch", "true");
    assertEquals(1.25, perMillion("openai", "gpt-4o", TokenType.INPUT, batch), 1e-9);
    assertEquals(0.625, perMillion("openai", "gpt-4o", TokenType.CACHE_READ, batch), 1e-9);
    assertEquals(5.0, perMillion("openai", "gpt-4o", TokenType.OUTPUT, batch), 1e-9);
    assertEquals(
        0.065, perMillion("openai", "text-embedding-3-large", TokenType.INPUT, batch), 1e-9);
    Map<String, String> anthropicBatch = Map.of("service_tier", "batch");
    assertEquals(
        1.5, perMillion("anthropic", "claude-sonnet-4-5", TokenType.INPUT, anthropicBatch), 1e-9);
    // Bedrock batch is not priced by a blanket rule here
    assertNull(perMillion("aws", "anthropic.claude-sonnet-4-5", TokenType.INPUT, batch));
  }

  @Test
  void anthropicLongContextAndOneHourCacheWrites() {
    Map<String, String> longCtx = Map.of("context_window", "200k-1M");
    assertEquals(6.0, perMillion("anthropic", "claude-sonnet-4-5", TokenType.INPUT, longCtx), 1e-9);
    assertEquals(
        22.5, perMillion("anthropic", "claude-sonnet-4-5", TokenType.OUTPUT, longCtx), 1e-9);
    assertEquals(
        3.0,
        perMillion(
            "anthropic",
            "claude-sonnet-4-5",
            TokenType.INPUT,
            Map.of("service_tier", "batch", "context_window", "200k-1M")),
        1e-9);
    // a model without published long-context rates stays unpriced there, never at the short price
    assertNull(perMillion("anthropic", "claude-opus-4-1", TokenType.INPUT, longCtx));

    Map<String, String> oneHour = Map.of("cache_ttl", "1h");
    assertEquals(
        6.0, perMillion("anthropic", "claude-3-5-sonnet", TokenType.CACHE_WRITE, oneHour), 1e-9);
    assertEquals(
        3.75, perMillion("anthropic", "claude-3-5-sonnet", TokenType.CACHE_WRITE, Map.of()), 1e-9);
    assertEquals(
        0.5, perMillion("anthropic", "claude-3-haiku", TokenType.CACHE_WRITE, oneHour), 1e-9);
    assertEquals(
        3.0,
        perMillion(
            "anthropic",
            "claude-3-5-sonnet",
            TokenType.CACHE_WRITE,
            Map.of("cache_ttl", "1h", "service_tier", "batch")),
        1e-9);
  }

  @Test
  void regionRowWinsInItsRegionOnly() {
    TokenPrice any =
        new TokenPrice(3e-6, null, null, 15e-6, "config", "aws", "acme.m1", TokenPrice.ALWAYS);
    TokenPrice tokyo =
        new TokenPrice(
            3.3e-6,
            null,
            null,
            16.5e-6,
            "config",
            "aws",
            "acme.m1",
            TokenPrice.ALWAYS,
            null,
            Map.of(),
            "ap-northeast-1",
            "",
            null);
    PriceCatalog c = new PriceCatalog(List.of(List.of(any, tokyo)), Map.of());
    PriceScope inTokyo = PriceScope.of(Map.of("region", "ap-northeast-1"));
    PriceScope inVirginia = PriceScope.of(Map.of("region", "us-east-1"));
    assertEquals(
        3.3, c.priceFor("aws", "acme.m1-v1:0", NOW, inTokyo).orElseThrow().input() * M, 1e-9);
    assertEquals(
        3.0, c.priceFor("aws", "acme.m1", NOW, inVirginia).orElseThrow().input() * M, 1e-9);
    assertEquals(3.0, c.priceFor("aws", "acme.m1", NOW).orElseThrow().input() * M, 1e-9);
    assertNotNull(c.priceFor("aws", "us.acme.m1-v1:0", NOW, inTokyo).orElse(null));
  }
}
