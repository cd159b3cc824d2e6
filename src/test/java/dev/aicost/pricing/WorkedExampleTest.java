package dev.aicost.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aicost.config.ModelPriceConfig;
import dev.aicost.config.PricingConfig;
import dev.aicost.model.TokenCounts;
import dev.aicost.model.TokenType;
import java.time.Instant;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** pricing.md, Seed 001: $5 / 1M input, 8,000-token context, 90 % cache hits at 0.1x. */
class WorkedExampleTest {
  private static double dollars(TokenPrice price, TokenCounts tokens) {
    double sum = 0;
    for (TokenType t : TokenType.values()) {
      if (tokens.get(t) > 0) sum += tokens.get(t) * price.forType(t);
    }
    return sum;
  }

  @Test
  void cachingCutsInputCostByEightyOnePercent() {
    PricingConfig cfg =
        new PricingConfig(
            "none",
            null,
            List.of(
                new ModelPriceConfig("acme", "seed-001", 5.00, null, 0.50, null, "per_1m", null)),
            null,
            null,
            null);
    PriceCatalog catalog = PriceCatalog.load(cfg, new LiteLlmPriceFile(new OkHttpClient()));
    TokenPrice price =
        catalog.priceFor("acme", "seed-001", Instant.parse("2026-02-01T00:00:00Z")).orElseThrow();

    double noCache = dollars(price, new TokenCounts(8_000, 0, 0, 0));
    double withCache = dollars(price, new TokenCounts(800, 7_200, 0, 0));

    assertEquals(0.0400, noCache, 1e-12);
    assertEquals(0.0076, withCache, 1e-12);
    assertEquals(0.81, 1 - withCache / noCache, 1e-9);
  }
}
