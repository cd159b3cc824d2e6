package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuiltinPricesTest {
  private static final double M = 1_000_000d;
  private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
  private final PriceCatalog catalog = new PriceCatalog(List.of(BuiltinPrices.load()), Map.of());

  private TokenPrice price(String provider, String model) {
    return catalog
        .priceFor(provider, model, NOW)
        .orElseThrow(() -> new AssertionError("no price for " + model));
  }

  @Test
  void seedFiguresFromPricingReference() {
    assertEquals(2.50, price("openai", "gpt-4o").input() * M, 1e-9);
    assertEquals(10.00, price("openai", "gpt-4o").output() * M, 1e-9);
    assertEquals(0.15, price("openai", "gpt-4o-mini").input() * M, 1e-9);
    assertEquals(0.60, price("openai", "gpt-4o-mini").output() * M, 1e-9);
    assertEquals(3.00, price("anthropic", "claude-3-5-sonnet").input() * M, 1e-9);
    assertEquals(15.00, price("anthropic", "claude-3-5-sonnet").output() * M, 1e-9);
    assertEquals(0.13, price("openai", "text-embedding-3-large").input() * M, 1e-9);
  }

  @Test
  void everyEntryIsUsable() {
    List<TokenPrice> all = BuiltinPrices.load();
    assertTrue(all.size() > 40);
    for (TokenPrice p : all) {
      assertTrue(Set.of("openai", "anthropic", "aws").contains(p.provider()), p.toString());
      assertEquals("builtin", p.source());
      assertTrue(p.hasAnyPrice(), p.toString());
      assertTrue(p.effectiveFrom().getYear() >= 2022, p.toString());
      assertEquals(p.model().toLowerCase(), p.model());
    }
  }

  @Test
  void anthropicCacheIsTenthForReadAndQuarterMoreForFiveMinuteWrite() {
    for (TokenPrice p : BuiltinPrices.load()) {
      // Claude 3 Haiku's published cache prices do not follow the rule (see below)
      if (!p.model().contains("claude") || p.cacheRead() == null || p.model().endsWith("3-haiku"))
        continue;
      assertEquals(p.input() * 0.1, p.cacheRead(), 1e-15, p.model());
      assertEquals(p.input() * 1.25, p.cacheWrite(), 1e-15, p.model());
    }
    assertEquals(0.30, price("anthropic", "claude-sonnet-4-5").cacheRead() * M, 1e-9);
    TokenPrice haiku3 = price("anthropic", "claude-3-haiku-20240307");
    assertEquals(0.03, haiku3.cacheRead() * M, 1e-9);
    assertEquals(0.30, haiku3.cacheWrite() * M, 1e-9);
  }

  @Test
  void openAiHasNoCacheWritePriceAndEmbeddingsNoOutputPrice() {
    BuiltinPrices.load().stream()
        .filter(p -> p.provider().equals("openai"))
        .forEach(p -> assertNull(p.cacheWrite(), p.model()));
    assertNull(price("openai", "text-embedding-3-small").output());
  }

  @Test
  void currentPricesListEachModelOnce() {
    List<TokenPrice> current = catalog.currentPrices(NOW);
    // every (provider, model, region, profile) key in force at NOW, once (Opus 4.6 starts later)
    assertEquals(catalog.size() - 2, current.size());
    assertEquals(
        current.size(),
        current.stream()
            .map(p -> List.of(p.provider(), p.model(), p.region(), p.profile()))
            .distinct()
            .count());
    TokenPrice gpt4o =
        current.stream().filter(p -> p.model().equals("gpt-4o")).findFirst().orElseThrow();
    assertEquals(2.50, gpt4o.input() * M, 1e-9);
    assertFalse(
        current.stream()
            .anyMatch(
                p ->
                    p.effectiveFrom().isAfter(NOW.atZone(java.time.ZoneOffset.UTC).toLocalDate())));
  }
}
